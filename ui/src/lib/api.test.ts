import { describe, expect, it } from "vitest";
import { errorText, fieldErrorText, toUiError } from "./api";

describe("errors", () => {
  it("keep a core error as it is", () => {
    const error = { code: "already_signed_out", message: "visit x is already signed out", fields: [] };
    expect(toUiError(error)).toBe(error);
  });

  it("turn anything else into an 'unexpected' error with the detail kept", () => {
    const error = toUiError("invalid args `visit` for command `sign_in`");
    expect(error.code).toBe("unexpected");
    expect(error.message).toContain("sign_in");
  });

  it("are shown in the kiosk's language, by code", () => {
    const error = toUiError({ code: "already_signed_out", message: "english detail", fields: [] });
    expect(errorText("zh-CN", error)).toBe("该访客已签离。");
    expect(errorText("en", error)).toBe("This visit has already been signed out.");
  });

  it("name the limit a field went over", () => {
    expect(fieldErrorText("en", { field: "name", code: "too_long", limit: 100 })).toBe(
      "Too long: at most 100 characters.",
    );
    expect(fieldErrorText("zh-CN", { field: "name", code: "required", limit: null })).toBe("此项必填。");
  });
});
