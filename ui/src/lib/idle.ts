// Idle detection: after `timeoutMs` without a touch, click, key or scroll, `onIdle` runs once;
// the next activity re-arms it. Scanners type like keyboards, so a scan counts as activity.
const ACTIVITY_EVENTS = ["pointerdown", "keydown", "touchstart", "wheel", "input"] as const;

export function watchIdle(timeoutMs: number, onIdle: () => void, target: EventTarget = window): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(onIdle, timeoutMs);
  };
  for (const name of ACTIVITY_EVENTS) target.addEventListener(name, arm, { passive: true, capture: true });
  arm();
  return () => {
    clearTimeout(timer);
    for (const name of ACTIVITY_EVENTS) target.removeEventListener(name, arm, { capture: true });
  };
}
