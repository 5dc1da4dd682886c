import { latestSyncEvents, type SyncEventRow } from "~/monitoring/list-sync-events.server";

// graphile-worker deletes a job when it succeeds, so the jobs page would be empty between runs: what ran lives in
// the sync events each run records. Webhook events are left out (one per delivery, they would bury the runs).

export const RECENT_RUNS = 20;

/** The latest finished runs, newest first, as the sync monitor lists events. */
export function listRecentRuns(limit = RECENT_RUNS): Promise<SyncEventRow[]> {
  return latestSyncEvents({ eventType: { not: "WEBHOOK" } }, limit);
}
