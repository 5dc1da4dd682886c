import { pgPool } from "~/db.server";
import { env } from "~/env.server";
import type { Queryable } from "~/lib/queryable.server";

// Raw sync events are kept EVENT_RETENTION_DAYS (default 90) and pruned daily. Deleting in batches keeps each
// transaction short: no long lock on the table the dashboard reads, no giant WAL burst, and a run that is stopped
// halfway has still made progress.

export interface PruneOptions {
  now?: Date;
  retentionDays?: number;
  batchSize?: number;
  /** Stop after this many batches (the next daily run continues). */
  maxBatches?: number;
  db?: Queryable;
}

export interface PruneResult {
  cutoff: Date;
  deleted: number;
  batches: number;
}

export async function pruneSyncEvents(options: PruneOptions = {}): Promise<PruneResult> {
  const now = options.now ?? new Date();
  const retentionDays = options.retentionDays ?? env().EVENT_RETENTION_DAYS;
  const batchSize = options.batchSize ?? 10_000;
  const maxBatches = options.maxBatches ?? Number.POSITIVE_INFINITY;
  const db = options.db ?? pgPool();
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);

  let deleted = 0;
  let batches = 0;
  while (batches < maxBatches) {
    // Oldest first, along the created_at index; SKIP LOCKED lets two pruners (two workers) split the work.
    const { rowCount } = await db.query(
      `DELETE FROM sync_event s USING (
         SELECT id FROM sync_event WHERE created_at < $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ) doomed WHERE s.id = doomed.id`,
      [cutoff, batchSize],
    );
    batches += 1;
    deleted += rowCount ?? 0;
    if ((rowCount ?? 0) < batchSize) break;
  }
  return { cutoff, deleted, batches };
}
