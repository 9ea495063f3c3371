import { describe, expect, it } from "vitest";
import { looksTorchLegacy } from "./torch-legacy-magic.js";

// The first pickle of a legacy torch.save file is MAGIC_NUMBER in the chosen pickle protocol
// (pickle.py save_long: LONG1 from protocol 2, text LONG before; protocol >= 4 adds a FRAME).
const magicLE = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
const frame = [0x95, 0x0d, 0, 0, 0, 0, 0, 0, 0];
const bytes = (...parts: number[][]) => new Uint8Array(parts.flat());
const text = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

describe("looksTorchLegacy", () => {
  it("accepts the magic number in every protocol torch.save writes", () => {
    expect(looksTorchLegacy(bytes(text("L119547037146038801333356L\n.")))).toBe(true);
    for (const p of [2, 3]) expect(looksTorchLegacy(bytes([0x80, p, 0x8a, 0x0a], magicLE, [0x2e]))).toBe(true);
    for (const p of [4, 5]) expect(looksTorchLegacy(bytes([0x80, p], frame, [0x8a, 0x0a], magicLE, [0x2e]))).toBe(true);
    // Protocol 4 without the optional frame (pickle.py frames only when framing is on).
    expect(looksTorchLegacy(bytes([0x80, 0x04, 0x8a, 0x0a], magicLE))).toBe(true);
  });

  it("rejects other pickles and truncated heads", () => {
    expect(looksTorchLegacy(bytes([0x80, 0x02, 0x7d, 0x71, 0x00]))).toBe(false);
    expect(looksTorchLegacy(bytes([0x80, 0x04], frame, [0x8a, 0x0a], magicLE.slice(0, 9), [0x00]))).toBe(false);
    expect(looksTorchLegacy(bytes([0x80, 0x04], frame, [0x8a, 0x0a], magicLE.slice(0, 5)))).toBe(false);
    expect(looksTorchLegacy(bytes([0x80, 0x06, 0x8a, 0x0a], magicLE))).toBe(false);
    expect(looksTorchLegacy(bytes(text("L119547037146038801333357L\n")))).toBe(false);
    expect(looksTorchLegacy(new Uint8Array(0))).toBe(false);
  });
});

describe("sniffPickle steps aside for legacy torch files", () => {
  it("scores 0 in every protocol, so a legacy file named .pkl still opens as torch", async () => {
    const { sniffPickle } = await import("./detect.js");
    expect(sniffPickle(bytes([0x80, 0x04], frame, [0x8a, 0x0a], magicLE, [0x2e]))).toBe(0);
    expect(sniffPickle(bytes([0x80, 0x03, 0x8a, 0x0a], magicLE, [0x2e]))).toBe(0);
    expect(sniffPickle(bytes([0x80, 0x04, 0x95, 0x05, 0, 0, 0, 0, 0, 0, 0, 0x7d, 0x94, 0x2e]))).toBe(2);
  });
});
