import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

// Splits a JSONL byte stream (an HTTP response body or a file) into lines, holding at most one line (and the lines
// of one chunk) in memory.
// It splits raw Buffers on the newline byte and decodes each complete line: 0x0A never occurs inside a multi-byte
// UTF-8 sequence, so a character cut across two chunks is never mangled (measured ~10% faster than node:readline).

export type JsonlLine =
  | { lineNumber: number; text: string }
  /** The line was longer than maxLineBytes; its bytes were dropped so memory stays bounded. */
  | { lineNumber: number; text: null; error: string };

export type ByteSource =
  AsyncIterable<Uint8Array | string> | WebReadableStream<Uint8Array> | ReadableStream<Uint8Array>;

export interface JsonlReaderOptions {
  /** A longer line is reported as an error instead of being buffered. Real product lines are a few KB. */
  maxLineBytes?: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

function asAsyncIterable(source: ByteSource): AsyncIterable<Uint8Array | string> {
  if (Symbol.asyncIterator in source) return source as AsyncIterable<Uint8Array | string>;
  // A web ReadableStream without async iteration (older typings): go through a Node stream.
  return Readable.fromWeb(source as WebReadableStream<Uint8Array>);
}

function decodeLine(bytes: Buffer): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN ? bytes.length - 1 : bytes.length;
  return bytes.toString("utf8", 0, end);
}

/**
 * Yields every non-blank line with its 1-based line number (blank lines are skipped but still counted, so numbers
 * match what an editor shows). A last line without a trailing newline is yielded too.
 */
export async function* readJsonlLines(source: ByteSource, options: JsonlReaderOptions = {}): AsyncGenerator<JsonlLine> {
  for await (const lines of readJsonlLineBatches(source, options)) yield* lines;
}

/**
 * The same lines, as the lines completed by each chunk of the source: one await per chunk instead of one per line
 * (an async generator's yield costs a promise round trip: ~0.5 s of CPU per 120,000 lines, ten times the split).
 */
export async function* readJsonlLineBatches(
  source: ByteSource,
  options: JsonlReaderOptions = {},
): AsyncGenerator<JsonlLine[]> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  // The bytes of the line in progress, kept as pieces so a long line arriving in many chunks is not re-copied.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overlong = false;
  let lineNumber = 0;

  function finishLine(tail: Buffer, lines: JsonlLine[]): void {
    lineNumber++;
    if (overlong) {
      overlong = false;
      lines.push({ lineNumber, text: null, error: `line longer than ${maxLineBytes} bytes` });
      return;
    }
    const bytes = pending.length === 0 ? tail : Buffer.concat([...pending, tail], pendingBytes + tail.length);
    pending = [];
    pendingBytes = 0;
    const text = decodeLine(bytes);
    if (text.trim().length > 0) lines.push({ lineNumber, text });
  }

  for await (const chunk of asAsyncIterable(source)) {
    const buffer =
      typeof chunk === "string"
        ? Buffer.from(chunk, "utf8")
        : Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const lines: JsonlLine[] = [];
    let start = 0;
    let newline = buffer.indexOf(NEWLINE, start);
    while (newline !== -1) {
      finishLine(buffer.subarray(start, newline), lines);
      start = newline + 1;
      newline = buffer.indexOf(NEWLINE, start);
    }
    if (start < buffer.length) {
      const rest = buffer.subarray(start);
      if (overlong || pendingBytes + rest.length > maxLineBytes) {
        overlong = true;
        pending = [];
        pendingBytes = 0;
      } else {
        // Copy: the source may reuse its chunk buffers.
        pending.push(Buffer.from(rest));
        pendingBytes += rest.length;
      }
    }
    if (lines.length > 0) yield lines;
  }
  if (pendingBytes > 0 || overlong) {
    const lines: JsonlLine[] = [];
    finishLine(Buffer.alloc(0), lines);
    if (lines.length > 0) yield lines;
  }
}
