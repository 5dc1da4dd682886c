import type { AlertSeverity, AlertStatus } from "@prisma/client";
import { z } from "zod";
import { prisma } from "~/db.server";

// The alerts page: one status at a time (a tab, kept in the URL), newest activity first, with each tab's count.

export const ALERT_STATUSES = ["OPEN", "ACKNOWLEDGED", "RESOLVED"] as const satisfies readonly AlertStatus[];

const PAGE_SIZE = 200;

/** The page's query string; an unknown status or shop falls back to the defaults rather than failing. */
export const alertsQuery = z.object({
  status: z.enum(ALERT_STATUSES).catch("OPEN").default("OPEN"),
  shop: z.string().trim().max(255).optional().catch(undefined).transform((shop) => shop || undefined),
});
export type AlertsQuery = z.infer<typeof alertsQuery>;

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

const LIST_FIELDS = {
  id: true, type: true, severity: true, shop: true, jobType: true, title: true, status: true, occurrences: true,
  firstSeenAt: true, lastSeenAt: true, notifiedChannels: true, acknowledgedAt: true, acknowledgedBy: true, resolvedAt: true,
} as const;

export interface AlertList {
  alerts: AlertListItem[];
  counts: Record<AlertStatus, number>;
  truncated: boolean;
}

export async function listAlerts({ status, shop }: AlertsQuery): Promise<AlertList> {
  const where = { status, ...(shop ? { shop } : {}) };
  const [alerts, grouped] = await Promise.all([
    prisma.alert.findMany({ where, select: LIST_FIELDS, orderBy: [{ lastSeenAt: "desc" }, { id: "desc" }], take: PAGE_SIZE + 1 }),
    prisma.alert.groupBy({ by: ["status"], where: shop ? { shop } : {}, _count: { _all: true } }),
  ]);
  const counts = { OPEN: 0, ACKNOWLEDGED: 0, RESOLVED: 0 };
  for (const group of grouped) counts[group.status] = group._count._all;
  return { alerts: alerts.slice(0, PAGE_SIZE), counts, truncated: alerts.length > PAGE_SIZE };
}

/** Whether an alert with this id exists at all (to tell "no such alert" from "not open any more"). */
export async function alertExists(id: number): Promise<boolean> {
  return (await prisma.alert.count({ where: { id } })) > 0;
}
