import type { Prisma } from "@prisma/client";
import { pgPool, prisma } from "~/db.server";
import { keysetPage, keysetSql } from "~/lib/keyset-page.server";
import type { Queryable } from "~/lib/queryable.server";
import {
  CURSOR_PART,
  rangeOf,
  toKeysetCursor,
  toPageCursor,
  type PageCursor,
  type SortKey,
  type SyncMonitorQuery,
} from "./sync-monitor-query";

// One page of sync events under the monitor's filters, in SQL, by keyset (app/lib/keyset-page.server.ts): the page
// after (or before) a row is `(sort value, id) < (cursor value, cursor id)`, which the sync_event indexes on
// (…, created_at DESC, id DESC) answer by reading one page of index entries however deep the page is. OFFSET would
// read and discard every earlier row (page 20,000 of a million events reads the million), and the plan's "last 100,
// filtered in the browser" answers a different question (a filter shows only what happens to be in the last 100).
//
// Sorting by processing time or item count walks the expression indexes on (coalesce(…, -1), id) the same way
// (migration 20261128120000); under a narrow filter PostgreSQL prefers the filter's index and a top-N sort of the
// few matching rows. A missing value sorts as -1 (below every reported one) so that the key is total and the keyset
// exact; the expressions below must stay those of the indexes.

export interface SyncEventRow {
  id: string;
  shop: string;
  eventType: string;
  status: string;
  itemCount: number | null;
  processingTimeMs: number | null;
  errorMessage: string | null;
  createdAt: Date;
}

/** The newest `take` sync events matching `where`, newest first: the short lists of the jobs and merchant pages. */
export async function latestSyncEvents(where: Prisma.SyncEventWhereInput, take: number): Promise<SyncEventRow[]> {
  const events = await prisma.syncEvent.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    select: {
      id: true,
      shop: true,
      eventType: true,
      status: true,
      itemCount: true,
      processingTimeMs: true,
      errorMessage: true,
      createdAt: true,
    },
  });
  return events.map((event) => ({ ...event, id: event.id.toString() }));
}

export interface SyncEventPage {
  events: SyncEventRow[];
  /** Cursors of the neighbouring pages, null when there is none. */
  next: PageCursor | null;
  previous: PageCursor | null;
}

const SORT_EXPRESSION: Record<SortKey, string> = {
  created_at: "created_at",
  processing_time: "coalesce(processing_time_ms, -1)",
  item_count: "coalesce(item_count, -1)",
};

export function sortValueOf(row: SyncEventRow, sort: SortKey): number {
  if (sort === "created_at") return row.createdAt.getTime();
  if (sort === "processing_time") return row.processingTimeMs ?? -1;
  return row.itemCount ?? -1;
}

/** The WHERE clause and parameters of the filters (shared with the statistics and the export). */
export function syncEventFilterSql(
  query: Pick<SyncMonitorQuery, "shop" | "eventType" | "status" | "fromDay" | "toDay">,
) {
  const { from, to } = rangeOf(query);
  const conditions = ["created_at >= $1", "created_at < $2"];
  const params: unknown[] = [from, to];
  // Only the filters that are set are written: an `OR $n IS NULL` would hide the matching index from the planner.
  if (query.shop) conditions.push(`shop = $${params.push(query.shop)}`);
  if (query.eventType) conditions.push(`event_type = $${params.push(query.eventType)}::"SyncEventType"`);
  if (query.status) conditions.push(`status = $${params.push(query.status)}::"SyncEventStatus"`);
  return { conditions, params };
}

export interface ListOptions {
  db?: Queryable;
  /** The table shows the start of each error (the detail page the rest); the export wants it whole. */
  fullErrorMessages?: boolean;
}

export async function listSyncEvents(query: SyncMonitorQuery, options: ListOptions = {}): Promise<SyncEventPage> {
  const db = options.db ?? pgPool();
  const { conditions, params } = syncEventFilterSql(query);
  const order = {
    key: [SORT_EXPRESSION[query.sort]],
    id: "sync_event.id",
    parts: [CURSOR_PART[query.sort]],
    descending: query.direction === "desc",
  };
  const cursor = toKeysetCursor(query.cursor);
  const { condition, orderBy } = keysetSql(order, cursor, params);
  if (condition) conditions.push(condition);
  const { rows } = await db.query<SyncEventRow>(
    `SELECT id::text, shop, event_type AS "eventType", status, item_count AS "itemCount",
            processing_time_ms AS "processingTimeMs", ${options.fullErrorMessages ? "error_message" : "left(error_message, 300)"} AS "errorMessage", created_at AS "createdAt"
       FROM sync_event
      WHERE ${conditions.join(" AND ")}
      ORDER BY ${orderBy}
      LIMIT ${query.pageSize + 1}`,
    params,
  );

  const page = keysetPage(rows, query.pageSize, cursor, (row) => ({ key: [sortValueOf(row, query.sort)], id: row.id }));
  return { events: page.rows, next: toPageCursor(page.next), previous: toPageCursor(page.previous) };
}
