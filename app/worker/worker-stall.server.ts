import type { WorkerEvents } from "graphile-worker";

// graphile-worker 0.18 looks up the ids of its tasks once, on a runner's first fetch, and caches the promise of that
// lookup (dist/taskIdentifiers.js). When the database drops the connection while that first lookup is in flight (the
// app starting while PostgreSQL restarts, every connection terminated at once), the cached promise stays rejected:
// every later fetch fails with the same error, the runner never takes another job, and nothing in graphile-worker
// notices. A new runner has a new cache, so the cure is to start one.
//
// The watch tells a wedged runner from a database outage: the runner's fetches have failed, none has succeeded for
// `stallAfterMs`, and yet the database answers. Idle workers fetch every poll interval, so a healthy runner shows a
// success at least that often; workers busy with long jobs do not fetch at all, and are not mistaken for stalled.
// "While the database answers" means a fetch failed after the watch saw the database answer: after a real outage
// longer than `stallAfterMs` (PostgreSQL restarted), every fetch has failed for that long, yet a healthy runner
// succeeds on its next poll and must not be replaced the moment the database is back.

/** How long a runner may fail every fetch while the database answers before it counts as stalled. */
export const WORKER_STALL_AFTER_MS = 60_000;

export interface JobFetchWatch {
  /** When the fetches began to fail with no success since, or undefined while the last one succeeded. */
  failingSince(): number | undefined;
  lastError(): string | undefined;
  /** When the latest fetch failed. */
  lastFailureAt(): number | undefined;
  /** Notes whether the database answered at `at`; returns since when it has answered without a break (or undefined). */
  noteDatabase(answers: boolean, at: number): number | undefined;
  /** Since when the database has answered without a break, as last noted. */
  answeringSince(): number | undefined;
  stop(): void;
}

/** Follows a runner's fetches (graphile-worker's worker:getJob:* and job:start events). */
export function watchJobFetching(events: WorkerEvents, clock: () => number = Date.now): JobFetchWatch {
  let failingSince: number | undefined;
  let lastError: string | undefined;
  let lastFailureAt: number | undefined;
  let answeringSince: number | undefined;
  const succeeded = () => {
    failingSince = undefined;
    answeringSince = undefined;
  };
  const failed = ({ error }: { error: unknown }) => {
    lastFailureAt = clock();
    failingSince ??= lastFailureAt;
    lastError = error instanceof Error ? error.message : String(error);
  };
  events.on("worker:getJob:empty", succeeded);
  events.on("job:start", succeeded);
  events.on("worker:getJob:error", failed);
  return {
    failingSince: () => failingSince,
    lastError: () => lastError,
    lastFailureAt: () => lastFailureAt,
    noteDatabase(answers, at) {
      answeringSince = answers ? (answeringSince ?? at) : undefined;
      return answeringSince;
    },
    answeringSince: () => answeringSince,
    stop() {
      events.off("worker:getJob:empty", succeeded);
      events.off("job:start", succeeded);
      events.off("worker:getJob:error", failed);
    },
  };
}

/**
 * Whether the watched runner is wedged: every fetch failing for `stallAfterMs` or longer, and one failing after the
 * database was seen answering. Asks the database only while fetches are failing.
 */
export async function runnerIsWedged(
  watch: JobFetchWatch,
  now: number,
  stallAfterMs: number,
  databaseAnswers: () => Promise<boolean>,
): Promise<boolean> {
  if (watch.failingSince() === undefined) return false;
  watch.noteDatabase(await databaseAnswers(), now);
  return wedgedAsOf(watch, now, stallAfterMs);
}

/** The same rule on what the watch last noted, without asking the database (for /healthz). */
export function wedgedAsOf(watch: JobFetchWatch, now: number, stallAfterMs: number): boolean {
  const since = watch.failingSince();
  const answeringSince = watch.answeringSince();
  if (since === undefined || answeringSince === undefined || now - since < stallAfterMs) return false;
  return (watch.lastFailureAt() ?? -Infinity) > answeringSince;
}
