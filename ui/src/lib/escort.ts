// How the UI words what the core decided about escorts. No rule lives here: the reasons, the
// checklist and whether a visit may start all come from the core.
import type { EscortReason } from "./bindings/EscortReason";
import type { Lang } from "./bindings/Lang";
import { translate } from "./i18n.svelte";

/** One reason an escort is required, in `lang`. */
export function reasonText(lang: Lang, reason: EscortReason): string {
  switch (reason.kind) {
    case "visitor_type":
    case "restricted_area":
      return translate(lang, `escort-reason-${reason.kind}`, { name: reason.name[lang] });
    case "outside_hours":
      return translate(lang, "escort-reason-outside_hours", { start: reason.start, end: reason.end });
    case "watch_list":
      return translate(lang, "escort-reason-watch_list");
    case "host_policy":
      return translate(lang, "escort-reason-host_policy", { host: reason.name || reason.host_id });
  }
}
