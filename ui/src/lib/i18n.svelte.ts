// Translations: Fluent catalogues shared with the Rust side (assets/i18n). The UI never holds
// a user-visible string of its own.
import { FluentBundle, FluentResource, type FluentVariable } from "@fluent/bundle";
import en from "../../../assets/i18n/en.ftl?raw";
import zhCN from "../../../assets/i18n/zh-CN.ftl?raw";
import type { Lang } from "./bindings/Lang";

export const LANGS: readonly Lang[] = ["zh-CN", "en"];

function bundle(lang: Lang, source: string): FluentBundle {
  const b = new FluentBundle(lang, { useIsolating: false });
  const errors = b.addResource(new FluentResource(source));
  if (errors.length > 0) throw new Error(`${lang}.ftl: ${errors.map(String).join("; ")}`);
  return b;
}

const bundles: Record<Lang, FluentBundle> = {
  "zh-CN": bundle("zh-CN", zhCN),
  en: bundle("en", en),
};

/** Translate `id` in `lang`. A missing id shows the id itself, never a blank. */
export function translate(lang: Lang, id: string, args?: Record<string, FluentVariable>): string {
  const b = bundles[lang];
  const message = b.getMessage(id);
  if (!message?.value) {
    console.error(`missing message ${id} in ${lang}`);
    return id;
  }
  return b.formatPattern(message.value, args);
}

export function hasMessage(lang: Lang, id: string): boolean {
  return bundles[lang].hasMessage(id);
}

/** The language shown now; components read `i18n.lang` and call `t`. */
class I18n {
  lang = $state<Lang>("zh-CN");

  t = (id: string, args?: Record<string, FluentVariable>): string => translate(this.lang, id, args);
}

export const i18n = new I18n();
export const t = i18n.t;
