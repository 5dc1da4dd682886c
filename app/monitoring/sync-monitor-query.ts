import type { SyncEventType } from "@prisma/client";
import { z } from "zod";
import { SYNC_KIND_EVENT_TYPES, type SyncKindEventType } from "~/jobs/sync-kinds";
import { readCursor, writeCursor, type CursorPart, type KeysetCursor } from "~/lib/keyset-cursor";

// The sync monitor's URL is its state: filters, sort and page cursor live in the query string, so a view can be
// shared, bookmarked and reached with the back button. This module turns any query string into a valid query:
// a value that does not parse is dropped (with a note for the page to show) and its default used, never a 500.
// Shared by the loader, the CSV export and the page (which builds sort and page links from it).

/** The event types that are not a sync kind's run (those come from their rows, app/jobs/sync-kinds.ts). */
const OTHER_EVENT_TYPES = ["BULK_OPERATION", "WEBHOOK"] as const satisfies readonly Exclude<
  SyncEventType,
  SyncKindEventType
>[];
// Every event type is a kind's or one of the others: an enum value that is neither does not build.
type UnlistedEventType = Exclude<SyncEventType, SyncKindEventType | (typeof OTHER_EVENT_TYPES)[number]>;
const everyEventTypeListed: UnlistedEventType extends never ? true : false = true;
void everyEventTypeListed;

/** The type filter's choices: the sync kinds' event types, then the others. */
export const EVENT_TYPES: readonly [SyncEventType, ...SyncEventType[]] = [
  SYNC_KIND_EVENT_TYPES[0],
  ...SYNC_KIND_EVENT_TYPES.slice(1),
  ...OTHER_EVENT_TYPES,
];
export const EVENT_STATUSES = ["SUCCESS", "FAILURE", "PARTIAL"] as const;
export const SORT_KEYS = ["created_at", "processing_time", "item_count"] as const;

export type EventTypeFilter = SyncEventType;
export type EventStatusFilter = (typeof EVENT_STATUSES)[number];
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = "asc" | "desc";

/** Where a page starts: after (next page) or before (previous page) the row with this sort value and id. */
export interface PageCursor {
  side: "after" | "before";
  /** created_at in epoch ms, or the processing time / item count (-1 stands for "not reported"). */
  value: number;
  id: string;
}

// In the URL and in SQL, a PageCursor is the shared keyset cursor (app/lib/keyset-cursor.ts) of a one-part key.
export const CURSOR_PART: Record<SortKey, CursorPart> = {
  created_at: "epochMs",
  processing_time: "int",
  item_count: "int",
};

export function toKeysetCursor(cursor: PageCursor | null): KeysetCursor | null {
  return cursor && { side: cursor.side, key: [cursor.value], id: cursor.id };
}

export function toPageCursor(cursor: KeysetCursor | null): PageCursor | null {
  return cursor && { side: cursor.side, value: cursor.key[0], id: cursor.id };
}

export interface SyncMonitorQuery {
  shop: string | null;
  eventType: EventTypeFilter | null;
  status: EventStatusFilter | null;
  /** Inclusive UTC days, as in the URL (YYYY-MM-DD). */
  fromDay: string;
  toDay: string;
  sort: SortKey;
  direction: SortDirection;
  cursor: PageCursor | null;
  pageSize: number;
}

export const DEFAULT_RANGE_DAYS = 7;
export const MAX_RANGE_DAYS = 366;
export const DEFAULT_PAGE_SIZE = 50;
const DAY_MS = 86_400_000;

const shopDomain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/)
  .max(255);
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine(
    (value) =>
      !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value),
  );

export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(dayText: string, days: number): string {
  return utcDay(new Date(Date.parse(`${dayText}T00:00:00Z`) + days * DAY_MS));
}

/** The half-open instant range [from, to) that the inclusive days cover. */
export function rangeOf(query: Pick<SyncMonitorQuery, "fromDay" | "toDay">): { from: Date; to: Date } {
  return { from: new Date(`${query.fromDay}T00:00:00Z`), to: new Date(`${addDays(query.toDay, 1)}T00:00:00Z`) };
}

export function parseSyncMonitorQuery(
  params: URLSearchParams,
  now = new Date(),
): { query: SyncMonitorQuery; ignored: string[] } {
  const ignored: string[] = [];
  function pick<T>(name: string, schema: z.ZodType<T>): T | null {
    const raw = params.get(name);
    if (raw === null || raw === "" || raw === "all") return null;
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    ignored.push(name);
    return null;
  }

  const today = utcDay(now);
  let toDay = pick("to", day) ?? today;
  let fromDay = pick("from", day) ?? addDays(toDay, -(DEFAULT_RANGE_DAYS - 1));
  if (fromDay > toDay) {
    ignored.push("from");
    fromDay = addDays(toDay, -(DEFAULT_RANGE_DAYS - 1));
  }
  if (Date.parse(toDay) - Date.parse(fromDay) >= MAX_RANGE_DAYS * DAY_MS) {
    ignored.push("from");
    fromDay = addDays(toDay, -(MAX_RANGE_DAYS - 1));
  }
  if (toDay > addDays(today, 1)) toDay = addDays(today, 1); // nothing is recorded in the future

  const sort = pick("sort", z.enum(SORT_KEYS)) ?? "created_at";
  const { cursor, ignored: ignoredCursor } = readCursor(params, [CURSOR_PART[sort]]);
  ignored.push(...ignoredCursor);

  return {
    query: {
      shop: pick("shop", shopDomain),
      eventType: pick("type", z.enum(EVENT_TYPES)),
      status: pick("status", z.enum(EVENT_STATUSES)),
      fromDay,
      toDay,
      sort,
      direction: pick("direction", z.enum(["asc", "desc"])) ?? "desc",
      cursor: toPageCursor(cursor),
      pageSize: pick("pageSize", z.coerce.number().int().min(10).max(200)) ?? DEFAULT_PAGE_SIZE,
    },
    ignored: [...new Set(ignored)],
  };
}

/** The query string for a query (defaults left out, so URLs stay short); `changes` replaces fields. */
export function syncMonitorSearch(query: SyncMonitorQuery, changes: Partial<SyncMonitorQuery> = {}): string {
  const q = { ...query, ...changes };
  const params = new URLSearchParams();
  if (q.shop) params.set("shop", q.shop);
  if (q.eventType) params.set("type", q.eventType);
  if (q.status) params.set("status", q.status);
  params.set("from", q.fromDay);
  params.set("to", q.toDay);
  if (q.sort !== "created_at") params.set("sort", q.sort);
  if (q.direction !== "desc") params.set("direction", q.direction);
  if (q.pageSize !== DEFAULT_PAGE_SIZE) params.set("pageSize", String(q.pageSize));
  return `?${writeCursor(params, toKeysetCursor(q.cursor))}`;
}
