import { describe, expect, it } from "vitest";
import en from "../../../assets/i18n/en.ftl?raw";
import zhCN from "../../../assets/i18n/zh-CN.ftl?raw";
import { FluentResource } from "@fluent/bundle";
import { hasMessage, translate } from "./i18n.svelte";

function ids(source: string): string[] {
  return new FluentResource(source).body.map((m) => m.id).sort();
}

describe("catalogues", () => {
  it("have the same messages in both languages", () => {
    expect(ids(zhCN)).toEqual(ids(en));
  });

  it("pluralise counts per language", () => {
    expect(translate("en", "onsite-count", { count: 1 })).toBe("1 visitor");
    expect(translate("en", "onsite-count", { count: 3 })).toBe("3 visitors");
    expect(translate("zh-CN", "onsite-count", { count: 3 })).toBe("3 位访客");
    expect(translate("zh-CN", "onsite-count", { count: 0 })).toBe("暂无访客");
  });

  it("show the id, never a blank, for a message that does not exist", () => {
    expect(hasMessage("en", "no-such-message")).toBe(false);
    expect(translate("en", "no-such-message")).toBe("no-such-message");
  });
});
