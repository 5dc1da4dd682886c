import type { AlertSeverity, AlertStatus } from "@prisma/client";
import { z } from "zod";
import { userText } from "~/lib/user-text";
import { pgPool, prisma } from "~/db.server";
import { readCursor, type KeysetCursor } from "~/lib/keyset-cursor";
import { keysetPage, keysetSql, type KeysetOrder } from "~/lib/keyset-page.server";

// The alerts page: one status at a time (a tab, kept in the URL), newest activity first, with each tab's count,
// in keyset pages (app/lib/keyset-page.server.ts) that the index on (status, last_seen_at DESC) serves.

export const ALERT_STATUSES = ["OPEN", "ACKNOWLEDGED", "RESOLVED"] as const satisfies readonly AlertStatus[];

export const PAGE_SIZE = 50;

const ORDER: KeysetOrder = { key: ["last_seen_at"], id: "alert.id", parts: ["epochMs"], descending: true };

/** The page's filters; an unknown status or shop falls back to the defaults rather than failing. */
const alertsFilters = z.object({
  status: z.enum(ALERT_STATUSES).catch("OPEN").default("OPEN"),
  shop: userText(255)
    .optional()
    .catch(undefined)
    .transform((shop) => shop || undefined),
});
export type AlertsQuery = z.infer<typeof alertsFilters> & { cursor: KeysetCursor | null };

/** The page's query string: its filters and page cursor. */
export function parseAlertsQuery(params: URLSearchParams): AlertsQuery {
  return { ...alertsFilters.parse(Object.fromEntries(params)), cursor: readCursor(params, ORDER.parts).cursor };
}

/** What the page shows of an alert (its JSON data stays in the database and the notifications). */
export interface AlertListItem {
  id: number;
  type: string;
  severity: AlertSeverity;
  shop: string | null;
  jobType: string | null;
  title: string;
  status: AlertStatus;
  occurrences: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  notifiedChannels: string[];
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  resolvedAt: Date | null;
}

export interface AlertList {
  alerts: AlertListItem[];
  counts: Record<AlertStatus, number>;
  next: KeysetCursor | null;
  previous: KeysetCursor | null;
}

export async function listAlerts({ status, shop, cursor }: AlertsQuery): Promise<AlertList> {
  const conditions = [`status = $1::"AlertStatus"`];
  const params: unknown[] = [status];
  if (shop) conditions.push(`shop = $${params.push(shop)}`);
  const { condition, orderBy } = keysetSql(ORDER, cursor, params);
  if (condition) conditions.push(condition);
  // In SQL rather than Prisma: the keyset is a row comparison, which Prisma's where cannot write.
  const [{ rows }, grouped] = await Promise.all([
    pgPool().query<AlertListItem>(
      `SELECT id, type, severity, shop, job_type AS "jobType", title, status, occurrences, first_seen_at AS "firstSeenAt",
              last_seen_at AS "lastSeenAt", coalesce(notified_channels, '{}') AS "notifiedChannels",
              acknowledged_at AS "acknowledgedAt", acknowledged_by AS "acknowledgedBy", resolved_at AS "resolvedAt"
         FROM alert
        WHERE ${conditions.join(" AND ")}
        ORDER BY ${orderBy}
        LIMIT ${PAGE_SIZE + 1}`,
      params,
    ),
    prisma.alert.groupBy({ by: ["status"], where: shop ? { shop } : {}, _count: { _all: true } }),
  ]);
  const counts = { OPEN: 0, ACKNOWLEDGED: 0, RESOLVED: 0 };
  for (const group of grouped) counts[group.status] = group._count._all;
  const page = keysetPage(rows, PAGE_SIZE, cursor, (alert) => ({
    key: [alert.lastSeenAt.getTime()],
    id: String(alert.id),
  }));
  return { alerts: page.rows, counts, next: page.next, previous: page.previous };
}

/** Whether an alert with this id exists at all (to tell "no such alert" from "not open any more"). */
export async function alertExists(id: number): Promise<boolean> {
  return (await prisma.alert.count({ where: { id } })) > 0;
}
