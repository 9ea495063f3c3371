import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isCodecError } from "../errors.js";
import { openZip } from "../zip/zip-archive.js";
import { ZipWriter } from "../zip/zip-writer.js";
import { HttpRangeSource } from "./http-range-source.js";

/**
 * A local server on 127.0.0.1 (random port): /file honours single byte
 * ranges (RFC 9110 section 14), /norange ignores them, /empty is 0 bytes,
 * /missing is 404, /private needs a header, /liar sends wrong Content-Range.
 */
function makeBody(): Uint8Array {
  const w = new ZipWriter();
  for (let i = 0; i < 40; i++) w.add(`t/${i}`, Uint8Array.from({ length: 3000 + i }, (_, k) => (k + i) & 0xff), { align: 64, compress: i % 2 === 0 });
  return w.finish();
}
const body = makeBody();
const log: string[] = [];
let server: Server;
let base = "";

function serveRange(req: IncomingMessage, res: ServerResponse, data: Uint8Array, lie = false): void {
  const m = /^bytes=(\d+)-(\d+)?$/.exec(req.headers.range ?? "");
  if (!m) {
    res.writeHead(200, { "Content-Length": data.length });
    res.end(data);
    return;
  }
  const start = Number(m[1]);
  if (start >= data.length) {
    res.writeHead(416, { "Content-Range": `bytes */${data.length}` });
    res.end();
    return;
  }
  const end = Math.min(m[2] === undefined ? data.length - 1 : Number(m[2]), data.length - 1);
  const shown = lie ? start + 1 : start;
  res.writeHead(206, { "Content-Range": `bytes ${shown}-${end}/${data.length}`, "Content-Length": end - start + 1 });
  res.end(data.subarray(start, end + 1));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    log.push(`${req.url} ${req.headers.range ?? "-"}`);
    switch (req.url) {
      case "/file":
        return serveRange(req, res, body);
      case "/liar":
        return req.headers.range === "bytes=0-0" ? serveRange(req, res, body) : serveRange(req, res, body, true);
      case "/empty":
        return serveRange(req, res, new Uint8Array(0));
      case "/private":
        if (req.headers.authorization !== "Bearer t0k3n") {
          res.writeHead(401);
          return res.end();
        }
        return serveRange(req, res, body);
      case "/norange":
        res.writeHead(200, { "Content-Length": body.length });
        return res.end(body);
      default:
        res.writeHead(404);
        res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => "ok",
    (x: unknown) => x,
  );
  return isCodecError(e) ? e.code : String(e);
}

describe("HttpRangeSource", () => {
  it("learns the length with a one-byte probe and reads exact ranges", async () => {
    const src = await HttpRangeSource.open(`${base}/file`);
    expect(src.byteLength).toBe(body.length);
    expect(src.name).toBe(`${base}/file`);
    expect(await src.read(10, 20)).toEqual(body.subarray(10, 30));
    expect(await src.read(body.length - 5, 5)).toEqual(body.subarray(body.length - 5));
    // Crossing a block boundary, and a read bigger than a block.
    expect(await src.read(65536 - 3, 10)).toEqual(body.subarray(65533, 65543));
    expect(body.length).toBeGreaterThan(69000);
    expect(await src.read(1000, 68000)).toEqual(body.subarray(1000, 69000));
    expect((await src.read(0, 0)).length).toBe(0);
    expect(await codeOf(src.read(body.length - 1, 2))).toBe("TRUNCATED");
  });

  it("caches blocks so small reads cost few requests", async () => {
    const src = await HttpRangeSource.open(`${base}/file`, { blockSize: 4096 });
    const before = src.requestCount;
    for (let i = 0; i < 50; i++) await src.read(100 + i * 30, 20);
    expect(src.requestCount - before).toBe(1);
    await Promise.all([src.read(9000, 10), src.read(9100, 10), src.read(9200, 10)]);
    expect(src.requestCount - before).toBe(2);
  });

  it("opens a zip over HTTP reading only what it needs", async () => {
    const src = await HttpRangeSource.open(`${base}/file`, { blockSize: 16384 });
    const zip = await openZip(src);
    expect(zip.entries.length).toBe(40);
    for (const i of [0, 1, 39]) {
      const data = await zip.read(zip.entry(`t/${i}`)!);
      expect(data.length).toBe(3000 + i);
      expect(data[5]).toBe((5 + i) & 0xff);
    }
    expect(src.requestCount).toBeLessThan(20);
  });

  it("passes request headers and a custom fetch", async () => {
    expect(await codeOf(HttpRangeSource.open(`${base}/private`))).toBe("IO");
    const src = await HttpRangeSource.open(`${base}/private`, { headers: { Authorization: "Bearer t0k3n" } });
    expect(await src.read(0, 4)).toEqual(body.subarray(0, 4));
    let calls = 0;
    const counted = await HttpRangeSource.open(`${base}/file`, {
      fetch: (url, init) => {
        calls++;
        return fetch(url, init);
      },
    });
    await counted.read(0, 1);
    expect(calls).toBe(2);
  });

  it("rejects servers that ignore Range with UNSUPPORTED", async () => {
    const err = await HttpRangeSource.open(`${base}/norange`).catch((e: unknown) => e);
    expect(isCodecError(err) && err.code).toBe("UNSUPPORTED");
    expect(String(err)).toContain("ignores Range");
  });

  it("handles empty resources, 404s, unreachable hosts and wrong Content-Range", async () => {
    const empty = await HttpRangeSource.open(`${base}/empty`);
    expect(empty.byteLength).toBe(0);
    expect(await codeOf(HttpRangeSource.open(`${base}/missing`))).toBe("IO");
    expect(await codeOf(HttpRangeSource.open("http://127.0.0.1:1/nothing"))).toBe("IO");
    const liar = await HttpRangeSource.open(`${base}/liar`, { blockSize: 0 });
    expect(await codeOf(liar.read(100, 10))).toBe("IO");
  });
});
