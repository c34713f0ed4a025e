import type { Lang } from "./bindings/Lang";

/** "09:42" in the site's time zone. */
export function formatClock(when: Date | string, lang: Lang, timeZone: string): string {
  const date = typeof when === "string" ? new Date(when) : when;
  return new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hour12: false, timeZone }).format(date);
}

/** "28 Nov" / "11月28日" in the site's time zone. */
export function formatDay(when: Date | string, lang: Lang, timeZone: string): string {
  const date = typeof when === "string" ? new Date(when) : when;
  return new Intl.DateTimeFormat(lang, { month: "short", day: "numeric", weekday: "short", timeZone }).format(date);
}
