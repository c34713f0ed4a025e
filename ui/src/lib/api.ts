// The one door to the core: the generated command client, plus error normalisation so every
// failure reaches the UI as a code it can translate.
import type { ApiError } from "./bindings/ApiError";
import type { FieldError } from "./bindings/FieldError";
import { translate } from "./i18n.svelte";
import type { Lang } from "./bindings/Lang";

export * as commands from "./bindings/commands";

/** An error as the UI handles it: one from the core, or one the IPC layer raised itself. */
export type UiError = ApiError | { code: "unexpected"; message: string; fields: FieldError[] };

export function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as ApiError).code === "string" &&
    typeof (value as ApiError).message === "string" &&
    Array.isArray((value as ApiError).fields)
  );
}

export function toUiError(value: unknown): UiError {
  if (isApiError(value)) return value;
  return { code: "unexpected", message: String(value), fields: [] };
}

/** The translated sentence for an error's code. */
export function errorText(lang: Lang, error: UiError): string {
  return translate(lang, `error-${error.code}`);
}

/** The translated message for one field's error. */
export function fieldErrorText(lang: Lang, error: FieldError): string {
  return translate(lang, `field-error-${error.code}`, error.limit === null ? undefined : { limit: error.limit });
}
