import { pgPool } from "~/db.server";

// What the daily reconciliations corrected, per shop: the variants whose sellable stock the hourly sync and the
// inventory webhooks had left wrong (docs/decisions/008). Each reconciliation records it on its INVENTORY_SYNC event
// (mode "reconcile", metadata.corrected), so this reads those events only: no other table holds the figure.

export interface ReconciliationCorrections {
  shop: string;
  /** Successful reconciliations in the range. */
  runs: number;
  /** Variants corrected over those runs. */
  corrected: number;
  /** Levels read over those runs. */
  levels: number;
  lastAt: Date;
  /** What the latest reconciliation in the range corrected. */
  lastCorrected: number;
}

export async function reconciliationCorrections(input: {
  from: Date;
  to: Date;
  shop?: string | null;
  limit?: number;
}): Promise<ReconciliationCorrections[]> {
  const { rows } = await pgPool().query<{
    shop: string;
    runs: number;
    corrected: string;
    levels: string;
    last_at: Date;
    last_corrected: number;
  }>(
    `WITH runs AS (
       SELECT shop, created_at, id,
              CASE WHEN jsonb_typeof(metadata->'corrected') = 'number' THEN (metadata->>'corrected')::numeric ELSE 0 END AS corrected,
              CASE WHEN jsonb_typeof(metadata->'levels') = 'number' THEN (metadata->>'levels')::numeric ELSE 0 END AS levels
         FROM sync_event
        WHERE event_type = 'INVENTORY_SYNC' AND status = 'SUCCESS' AND metadata->>'mode' = 'reconcile'
          AND created_at >= $1 AND created_at < $2 AND ($3::text IS NULL OR shop = $3)
     )
     SELECT shop, count(*)::int AS runs, sum(corrected)::text AS corrected, sum(levels)::text AS levels,
            max(created_at) AS last_at,
            (array_agg(corrected ORDER BY created_at DESC, id DESC))[1]::int AS last_corrected
       FROM runs
      GROUP BY shop
      ORDER BY sum(corrected) DESC, shop
      LIMIT $4`,
    [input.from, input.to, input.shop ?? null, input.limit ?? 50],
  );
  return rows.map((r) => ({
    shop: r.shop,
    runs: r.runs,
    corrected: Number(r.corrected),
    levels: Number(r.levels),
    lastAt: r.last_at,
    lastCorrected: r.last_corrected,
  }));
}
