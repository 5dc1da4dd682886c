import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readJsonlLines, type JsonlLine } from "../../app/sync/jsonl-reader";

async function collect(source: Parameters<typeof readJsonlLines>[0], maxLineBytes?: number): Promise<JsonlLine[]> {
  const lines: JsonlLine[] = [];
  for await (const line of readJsonlLines(source, { maxLineBytes })) lines.push(line);
  return lines;
}

function chunks(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text, "utf8");
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

describe("readJsonlLines", () => {
  it("splits lines across chunk boundaries, numbering them from 1", async () => {
    const lines = await collect(Readable.from(chunks('{"a":1}\n{"b":2}\n{"c":3}\n', 3)));
    expect(lines).toEqual([
      { lineNumber: 1, text: '{"a":1}' },
      { lineNumber: 2, text: '{"b":2}' },
      { lineNumber: 3, text: '{"c":3}' },
    ]);
  });

  it("yields a last line that has no trailing newline", async () => {
    const lines = await collect(Readable.from(chunks('{"a":1}\n{"b":2}', 5)));
    expect(lines.map((l) => l.text)).toEqual(['{"a":1}', '{"b":2}']);
  });

  it("skips blank lines but keeps counting them, and strips CRLF", async () => {
    const lines = await collect(Readable.from([Buffer.from('{"a":1}\r\n\r\n\n{"b":2}\r\n')]));
    expect(lines).toEqual([
      { lineNumber: 1, text: '{"a":1}' },
      { lineNumber: 4, text: '{"b":2}' },
    ]);
  });

  it("does not mangle multi-byte characters cut between chunks", async () => {
    const text = '{"t":"héllo wörld ☃ 🚀"}\n{"t":"日本語"}\n';
    for (const size of [1, 2, 3, 5]) {
      const lines = await collect(Readable.from(chunks(text, size)));
      expect(lines.map((l) => l.text)).toEqual(['{"t":"héllo wörld ☃ 🚀"}', '{"t":"日本語"}']);
    }
  });

  it("reads web streams (an HTTP response body)", async () => {
    const body = new Response('{"a":1}\n{"b":2}').body!;
    const lines = await collect(body);
    expect(lines.map((l) => l.text)).toEqual(['{"a":1}', '{"b":2}']);
  });

  it("reports an over-long line instead of buffering it, and continues", async () => {
    const long = "x".repeat(100);
    const lines = await collect(Readable.from(chunks(`{"a":1}\n${long}\n{"b":2}\n${long}`, 8)), 50);
    expect(lines).toEqual([
      { lineNumber: 1, text: '{"a":1}' },
      { lineNumber: 2, text: null, error: "line longer than 50 bytes" },
      { lineNumber: 3, text: '{"b":2}' },
      { lineNumber: 4, text: null, error: "line longer than 50 bytes" },
    ]);
  });

  it("yields nothing for an empty stream", async () => {
    expect(await collect(Readable.from([]))).toEqual([]);
  });
});
