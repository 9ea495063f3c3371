import { afterEach, describe, expect, it, vi } from "vitest";
import { NO_PROGRESS, TtyProgress, progressFor } from "./progress.js";

describe("progress", () => {
  afterEach(() => vi.useRealTimers());

  it("is silent when stderr is not a TTY", () => {
    expect(progressFor({ write: () => {}, isTTY: false })).toBe(NO_PROGRESS);
    expect(progressFor({ write: () => {} })).toBe(NO_PROGRESS);
  });

  it("draws one self-overwriting line on a TTY after 300 ms, throttled, and clears it", () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const out: string[] = [];
    const p = new TtyProgress({ write: (s) => void out.push(s), isTTY: true, columns: 60 });
    p.update("digest", 1, 10);
    expect(out).toEqual([]); // quick work never flashes a bar
    vi.setSystemTime(400);
    p.update("digest", 5, 10);
    vi.setSystemTime(450);
    p.update("digest", 6, 10); // throttled
    vi.setSystemTime(600);
    p.update("digest", 10, 10);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^\rdigest \[#{12}-{12}\] {2}50%\x1b\[K$/);
    expect(out[1]).toMatch(/100%/);
    p.end();
    expect(out[2]).toBe("\r\x1b[K");
  });

  it("end() prints nothing when nothing was drawn", () => {
    const out: string[] = [];
    const p = new TtyProgress({ write: (s) => void out.push(s), isTTY: true });
    p.update("x", 1, 2);
    p.end();
    expect(out).toEqual([]);
  });
});
