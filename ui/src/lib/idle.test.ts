import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { watchIdle } from "./idle";

describe("watchIdle", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("fires once the timeout passes without activity", () => {
    const onIdle = vi.fn();
    const stop = watchIdle(1000, onIdle, window);
    vi.advanceTimersByTime(999);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
    stop();
  });

  it("re-arms on every touch or key, including a scanner's typing", () => {
    const onIdle = vi.fn();
    const stop = watchIdle(1000, onIdle, window);
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(800);
      window.dispatchEvent(new KeyboardEvent("keydown", { key: "A" }));
    }
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1000);
    expect(onIdle).toHaveBeenCalledTimes(1);
    stop();
  });

  it("stops watching when told", () => {
    const onIdle = vi.fn();
    watchIdle(1000, onIdle, window)();
    vi.advanceTimersByTime(5000);
    window.dispatchEvent(new Event("pointerdown"));
    vi.advanceTimersByTime(5000);
    expect(onIdle).not.toHaveBeenCalled();
  });
});
