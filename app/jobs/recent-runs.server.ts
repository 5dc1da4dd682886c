import { prisma } from "~/db.server";

// graphile-worker deletes a job when it succeeds, so the jobs page would be empty between runs: what ran lives in
// the sync events each run records. Webhook events are left out (one per delivery, they would bury the runs).

export const RECENT_RUNS = 20;

export async function listRecentRuns(limit = RECENT_RUNS) {
  const events = await prisma.syncEvent.findMany({
    where: { eventType: { not: "WEBHOOK" } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
    select: { id: true, shop: true, eventType: true, status: true, itemCount: true, processingTimeMs: true, errorMessage: true, createdAt: true },
  });
  return events.map((event) => ({ ...event, id: event.id.toString() }));
}
