import { prisma } from "~/db.server";
import type { SyncEventRow } from "~/monitoring/list-sync-events.server";

// graphile-worker deletes a job when it succeeds, so the jobs page would be empty between runs: what ran lives in
// the sync events each run records. Webhook events are left out (one per delivery, they would bury the runs).

export const RECENT_RUNS = 20;

/** The latest finished runs, newest first, as the sync monitor lists events. */
export async function listRecentRuns(limit = RECENT_RUNS): Promise<SyncEventRow[]> {
  const events = await prisma.syncEvent.findMany({
    where: { eventType: { not: "WEBHOOK" } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
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
