// Helpers for the visitor-management forms: empty values of the generated types.
import type { NewVisitDetails } from "./bindings/NewVisitDetails";
import type { VisitorDetails } from "./bindings/VisitorDetails";

/** A sign-in with no ID, phone, photo, invitation or returning visitor. */
export function emptyDetails(): NewVisitDetails {
  return {
    id_type: null,
    id_number: "",
    phone: "",
    expected_end: "",
    returning_from: null,
    invitation: "",
    photo_base64: "",
  };
}

/** What a visit without visitor-management details shows. */
export function noVisitorDetails(): VisitorDetails {
  return {
    id_type: null,
    id_masked: null,
    phone_masked: null,
    expected_end: null,
    invitation_id: null,
    auto_signed_out_at: null,
    watchlist_hit: false,
    has_photo: false,
    purged: false,
  };
}

/** Today's date (`YYYY-MM-DD`) in a time zone. */
export function todayIn(timeZone: string): string {
  // Built from parts: locale data differs between engines (WebKitGTK lacks some).
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })
    .formatToParts(new Date());
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}
