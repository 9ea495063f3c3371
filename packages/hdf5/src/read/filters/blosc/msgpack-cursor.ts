import { fail } from "@codec/core";

/**
 * The few msgpack forms (msgpack spec, "formats") a Blosc2 frame header
 * and the b2nd metalayer use, read with bounds checks. Integers in
 * msgpack are big-endian.
 */
export class MsgpackCursor {
  pos: number;

  constructor(
    private readonly b: Uint8Array,
    private readonly end: number,
    private readonly format: string,
    private readonly base: number,
    start = 0,
  ) {
    this.pos = start;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) fail("TRUNCATED", this.format, `Blosc2 frame ${what} runs past its end`, { offset: this.base + this.pos });
  }

  private bad(what: string): never {
    return fail("CORRUPT", this.format, `Blosc2 frame has an unexpected msgpack ${what}`, { offset: this.base + this.pos });
  }

  peek(): number {
    this.need(1, "header");
    return this.b[this.pos];
  }

  byte(): number {
    this.need(1, "header");
    return this.b[this.pos++];
  }

  private be(n: number): number {
    this.need(n, "integer");
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.b[this.pos + i];
    this.pos += n;
    return v;
  }

  /** Any msgpack integer that fits a double exactly (negative 64-bit values are refused). */
  int(what: string): number {
    const t = this.byte();
    if (t <= 0x7f) return t;
    if (t >= 0xe0) return t - 256;
    switch (t) {
      case 0xcc:
        return this.be(1);
      case 0xcd:
        return this.be(2);
      case 0xce:
        return this.be(4);
      case 0xcf:
      case 0xd3: {
        const hi = this.be(4);
        const lo = this.be(4);
        if (hi >= 0x200000) fail("LIMIT", this.format, `Blosc2 frame ${what} is too large`, { offset: this.base + this.pos - 8 });
        return hi * 0x100000000 + lo;
      }
      case 0xd0: {
        const v = this.be(1);
        return v >= 0x80 ? v - 0x100 : v;
      }
      case 0xd1: {
        const v = this.be(2);
        return v >= 0x8000 ? v - 0x10000 : v;
      }
      case 0xd2: {
        const v = this.be(4);
        return v >= 0x80000000 ? v - 0x100000000 : v;
      }
      default:
        this.pos--;
        return this.bad(`type 0x${t.toString(16)} for ${what}`);
    }
  }

  /** fixarray / array16 / array32 length. */
  array(what: string): number {
    const t = this.byte();
    if ((t & 0xf0) === 0x90) return t & 0x0f;
    if (t === 0xdc) return this.be(2);
    if (t === 0xdd) return this.be(4);
    this.pos--;
    return this.bad(`type 0x${t.toString(16)} for ${what} (expected an array)`);
  }

  /** fixmap / map16 / map32 length. */
  map(what: string): number {
    const t = this.byte();
    if ((t & 0xf0) === 0x80) return t & 0x0f;
    if (t === 0xde) return this.be(2);
    if (t === 0xdf) return this.be(4);
    this.pos--;
    return this.bad(`type 0x${t.toString(16)} for ${what} (expected a map)`);
  }

  /** A string (fixstr/str8/16/32) as its raw bytes. */
  str(what: string): Uint8Array {
    const t = this.byte();
    let n: number;
    if ((t & 0xe0) === 0xa0) n = t & 0x1f;
    else if (t === 0xd9) n = this.be(1);
    else if (t === 0xda) n = this.be(2);
    else if (t === 0xdb) n = this.be(4);
    else {
      this.pos--;
      return this.bad(`type 0x${t.toString(16)} for ${what} (expected a string)`);
    }
    return this.take(n, what);
  }

  /** bin8/16/32 contents. */
  bin(what: string): Uint8Array {
    const t = this.byte();
    let n: number;
    if (t === 0xc4) n = this.be(1);
    else if (t === 0xc5) n = this.be(2);
    else if (t === 0xc6) n = this.be(4);
    else {
      this.pos--;
      return this.bad(`type 0x${t.toString(16)} for ${what} (expected binary)`);
    }
    return this.take(n, what);
  }

  bool(what: string): boolean {
    const t = this.byte();
    if (t === 0xc2) return false;
    if (t === 0xc3) return true;
    this.pos--;
    return this.bad(`type 0x${t.toString(16)} for ${what} (expected a boolean)`);
  }

  /** fixext 16 (0xd8): the type byte and 16 data bytes. */
  fixext16(what: string): { type: number; data: Uint8Array } {
    const t = this.byte();
    if (t !== 0xd8) {
      this.pos--;
      return this.bad(`type 0x${t.toString(16)} for ${what} (expected fixext 16)`);
    }
    const type = this.byte();
    return { type, data: this.take(16, what) };
  }

  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
}
