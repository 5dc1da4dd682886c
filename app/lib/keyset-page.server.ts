import type { CursorPart, KeysetCursor } from "./keyset-cursor";

// Keyset pages in SQL: the page after a row is the rows whose `(key…, id)` comes after that row's in the list's
// order, one row comparison, read with LIMIT page size + 1 (the extra row says whether there is a next page). An
// index on the same expressions answers a page at any depth by reading one page of entries, where OFFSET reads and
// discards every row before it. PostgreSQL compares row constructors part by part in one direction, so every part
// of a list's order runs the same way: a group that comes first (flagged findings, failed jobs) is a rank that sorts
// that way. The previous page walks the order reversed from its cursor; keysetPage turns the rows back.

export interface KeysetOrder {
  /** SQL of the sort key's parts, as the list's index has them. */
  key: readonly string[];
  /** SQL of the unique id that breaks ties, qualified (a bare name would pick the output column, often id::text). */
  id: string;
  /** What each key part is in the cursor, to check it and to hand it back to SQL. */
  parts: readonly CursorPart[];
  descending: boolean;
}

export interface KeysetPage<Row> {
  rows: Row[];
  /** Cursors of the neighbouring pages, null when there is none. */
  next: KeysetCursor | null;
  previous: KeysetCursor | null;
}

// Milliseconds go as a Date, the value PostgreSQL plans with as it does with any timestamp; a JS Date cannot hold
// microseconds, so those are added to the epoch in SQL (exact: an interval counts whole microseconds).
const TO_SQL: Record<CursorPart, { value: (n: number) => unknown; sql: (ref: string) => string }> = {
  int: { value: (n) => n, sql: (ref) => `${ref}::int` },
  epochMs: { value: (n) => new Date(n), sql: (ref) => `${ref}::timestamptz` },
  epochUs: { value: (n) => n, sql: (ref) => `(timestamptz 'epoch' + ${ref}::bigint * interval '1 microsecond')` },
};

/** The page's condition (null on the first page) with its values pushed onto `params`, and its ORDER BY. */
export function keysetSql(
  order: KeysetOrder,
  cursor: KeysetCursor | null,
  params: unknown[],
): { condition: string | null; orderBy: string } {
  const descending = order.descending !== (cursor?.side === "before");
  const direction = descending ? "DESC" : "ASC";
  const orderBy = [...order.key, order.id].map((expression) => `${expression} ${direction}`).join(", ");
  if (!cursor) return { condition: null, orderBy };
  const bounds = order.parts.map((part, index) =>
    TO_SQL[part].sql(`$${params.push(TO_SQL[part].value(cursor.key[index]))}`),
  );
  bounds.push(`$${params.push(cursor.id)}::bigint`);
  return {
    condition: `(${[...order.key, order.id].join(", ")}) ${descending ? "<" : ">"} (${bounds.join(", ")})`,
    orderBy,
  };
}

/** The page from rows read by keysetSql with LIMIT pageSize + 1; `cursorOf` names a row as its cursor would. */
export function keysetPage<Row>(
  rows: Row[],
  pageSize: number,
  cursor: KeysetCursor | null,
  cursorOf: (row: Row) => Pick<KeysetCursor, "key" | "id">,
): KeysetPage<Row> {
  const more = rows.length > pageSize;
  const page = rows.slice(0, pageSize);
  const backwards = cursor?.side === "before";
  if (backwards) page.reverse();
  const first = page[0];
  const last = page.at(-1);
  // Reading backwards means a page came after this one; reading forwards from a cursor, one came before it.
  const hasNext = backwards || more;
  const hasPrevious = backwards ? more : cursor !== null;
  return {
    rows: page,
    next: hasNext && last !== undefined ? { side: "after", ...cursorOf(last) } : null,
    previous: hasPrevious && first !== undefined ? { side: "before", ...cursorOf(first) } : null,
  };
}
