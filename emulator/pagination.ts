import { GraphQLError } from "graphql";

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  reverse?: boolean | null;
}

export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  nodes: T[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

export const MAX_PAGE_SIZE = 250;

// Shopify's cursors are base64 JSON naming the last id seen; opaque to the app, cheap to seek here.
export function encodeCursor(id: number): string {
  return Buffer.from(JSON.stringify({ last_id: id, last_value: String(id) })).toString("base64");
}

function decodeCursor(cursor: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as { last_id?: unknown };
    if (typeof parsed.last_id === "number") return parsed.last_id;
  } catch {
    // fall through to the error Shopify gives for a cursor it did not issue
  }
  throw new GraphQLError(`Invalid cursor for current pagination sort.`, { extensions: { code: "BAD_REQUEST" } });
}

export function checkPageSize(args: ConnectionArgs): void {
  if (args.first == null && args.last == null) {
    throw new GraphQLError("you must provide one of first or last", { extensions: { code: "BAD_REQUEST" } });
  }
  const size = args.first ?? args.last ?? 0;
  if (size < 0 || size > MAX_PAGE_SIZE) {
    throw new GraphQLError(
      `The ${args.first != null ? "first" : "last"} argument must be between 0 and ${MAX_PAGE_SIZE}.`,
      {
        extensions: { code: "BAD_REQUEST" },
      },
    );
  }
}

// `items` are in ascending id order (every list the emulator keeps is, except the ones Shopify lists newest first,
// which come `descending`), so cursors seek by binary search.
export function paginate<T>(
  items: readonly T[],
  args: ConnectionArgs,
  idOf: (item: T) => number,
  descending = false,
): Connection<T> {
  checkPageSize(args);
  const ordered = args.reverse ? [...items].reverse() : items;
  const ascending = descending ? Boolean(args.reverse) : !args.reverse;
  // Position of the first item strictly after / before the cursor's id in the current order.
  const seek = (id: number): number => {
    let low = 0;
    let high = ordered.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const midId = idOf(ordered[mid]);
      if (ascending ? midId <= id : midId >= id) low = mid + 1;
      else high = mid;
    }
    return low;
  };
  let start = 0;
  let end = ordered.length;
  if (args.after) start = seek(decodeCursor(args.after));
  if (args.before) {
    const beforeId = decodeCursor(args.before);
    let low = start;
    let high = end;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const midId = idOf(ordered[mid]);
      if (ascending ? midId < beforeId : midId > beforeId) low = mid + 1;
      else high = mid;
    }
    end = low;
  }
  let sliceStart = start;
  let sliceEnd = end;
  if (args.first != null) sliceEnd = Math.min(end, start + args.first);
  else if (args.last != null) sliceStart = Math.max(start, end - args.last);
  const nodes = ordered.slice(sliceStart, sliceEnd);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(idOf(node)), node }));
  return {
    edges,
    nodes,
    pageInfo: {
      hasNextPage: sliceEnd < ordered.length,
      hasPreviousPage: sliceStart > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
