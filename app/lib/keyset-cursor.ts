// Where a keyset page starts, as the URL carries it: just after (the next page) or just before (the previous page)
// one row, named by that row's sort key and id, `after=<key>_…_<id>` or `before=…`. The URL is the page's state, so
// pages are plain GET links: shareable, and the back button works. Shared by every keyset-paged list (the sync
// monitor, the admin's alerts, findings and jobs) and the links their pages build.
//
// Whatever arrives in the URL is checked against the list's key before it reaches SQL: a cursor that does not parse,
// or holds a number that PostgreSQL would refuse for its column (a timestamp before year 1, an id beyond bigint), is
// ignored and the first page shown, never a 500.

export type CursorSide = "after" | "before";

/**
 * What a part of a sort key is: a PostgreSQL integer (a rank, a count), or a time in epoch milliseconds (the app's
 * TIMESTAMPTZ(3) columns) or microseconds (graphile-worker's timestamps keep them, and a page boundary must too).
 */
export type CursorPart = "int" | "epochMs" | "epochUs";

export interface KeysetCursor {
  side: CursorSide;
  /** The row's sort key, part by part, without the id. */
  key: number[];
  /** The row's id, which breaks ties (digits: a bigint would not survive a JS number). */
  id: string;
}

const RANGE: Record<CursorPart, readonly [number, number]> = {
  int: [-2_147_483_648, 2_147_483_647],
  // Years 1 to 9999, where a JS Date and a timestamptz both exist.
  epochMs: [-62_135_596_800_000, 253_402_300_799_999],
  // Years 1685 to 2255: what a JS number holds exactly.
  epochUs: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};
const NUMBER = /^-?\d{1,16}$/;
const ID = /^\d{1,18}$/; // 19 digits may overflow a bigint

function parseCursor(side: CursorSide, text: string, parts: readonly CursorPart[]): KeysetCursor | null {
  const pieces = text.split("_");
  const id = pieces.pop()!;
  if (pieces.length !== parts.length || !ID.test(id)) return null;
  const key: number[] = [];
  for (const [index, piece] of pieces.entries()) {
    const [min, max] = RANGE[parts[index]];
    const value = Number(piece);
    if (!NUMBER.test(piece) || !(value >= min && value <= max)) return null;
    key.push(value);
  }
  return { side, key, id };
}

/** The cursor in a query string (`after` first), and which of the two were there but did not parse. */
export function readCursor(
  params: URLSearchParams,
  parts: readonly CursorPart[],
): { cursor: KeysetCursor | null; ignored: CursorSide[] } {
  const ignored: CursorSide[] = [];
  for (const side of ["after", "before"] as const) {
    const text = params.get(side);
    if (!text) continue;
    const cursor = parseCursor(side, text, parts);
    if (cursor) return { cursor, ignored };
    ignored.push(side);
  }
  return { cursor: null, ignored };
}

/** Adds the cursor to a page's query string (nothing for the first page); returns the same params. */
export function writeCursor(params: URLSearchParams, cursor: KeysetCursor | null): URLSearchParams {
  if (cursor) params.set(cursor.side, [...cursor.key, cursor.id].join("_"));
  return params;
}
