import { pgPool } from "~/db.server";
import { selectedProductSql } from "~/merchants/selection.server";
import { TRUTH_WINDOWS_MS as WINDOWS, truthFigure, truthShares, type TruthFigure } from "./truth-figure";

// The "truth" figure of a shop: how much of what the marketplace lists was read back from Shopify recently, and how
// often what was read back differed. Over 24 hours and 7 days:
// - verified: the listed variants verified in the window (distinct), against `listed`, the variants listed now;
// - checks and mismatches: variant verifications in the window, and those that found a difference (a variant
//   verified twice counts twice), so mismatchRate = mismatches / checks.
// (./truth-figure.ts: its shape and shares, shared with the pages.) Computed for one shop at the end of each verification run (cheap: that shop's rows) and kept in the run's
// sync_event metadata (`truth`), so the pages and /metrics read one row per shop instead of scanning every variant.

/** The shop's figure at `now`, counting `thisRun` (the run being recorded, whose event is not written yet). */
export async function computeTruthFigure(
  shop: string,
  now: Date,
  thisRun = { verified: 0, mismatched: 0 },
): Promise<TruthFigure> {
  const dayAgo = new Date(now.getTime() - WINDOWS["24h"]);
  const weekAgo = new Date(now.getTime() - WINDOWS["7d"]);
  const [{ rows: coverage }, { rows: runs }] = await Promise.all([
    pgPool().query<{ listed: number; verified_24h: number; verified_7d: number }>(
      `SELECT count(*)::int AS listed,
              count(*) FILTER (WHERE v.verified_at > $2 AND v.verified_at <= $4)::int AS verified_24h,
              count(*) FILTER (WHERE v.verified_at > $3 AND v.verified_at <= $4)::int AS verified_7d
         FROM product_variant v
         JOIN product p ON p.shop = v.shop AND p.id = v.product_id AND p.deleted_at IS NULL
         JOIN merchant_connection c ON c.shop = v.shop
        WHERE v.shop = $1 AND v.deleted_at IS NULL AND ${selectedProductSql("p", "c")}`,
      [shop, dayAgo, weekAgo, now],
    ),
    pgPool().query<{ checks_24h: number; mismatches_24h: number; checks_7d: number; mismatches_7d: number }>(
      `SELECT coalesce(sum((metadata->>'verified')::int) FILTER (WHERE created_at > $2), 0)::int AS checks_24h,
              coalesce(sum((metadata->>'mismatched')::int) FILTER (WHERE created_at > $2), 0)::int AS mismatches_24h,
              coalesce(sum((metadata->>'verified')::int), 0)::int AS checks_7d,
              coalesce(sum((metadata->>'mismatched')::int), 0)::int AS mismatches_7d
         FROM sync_event
        WHERE shop = $1 AND event_type = 'VERIFICATION' AND status = 'SUCCESS' AND created_at > $3 AND created_at <= $4
          AND metadata ? 'verified'`,
      [shop, dayAgo, weekAgo, now],
    ),
  ]);
  const [c] = coverage;
  const [r] = runs;
  return {
    listed: c.listed,
    "24h": {
      verified: c.verified_24h,
      checks: r.checks_24h + thisRun.verified,
      mismatches: r.mismatches_24h + thisRun.mismatched,
    },
    "7d": {
      verified: c.verified_7d,
      checks: r.checks_7d + thisRun.verified,
      mismatches: r.mismatches_7d + thisRun.mismatched,
    },
  };
}

export interface ShopTruth {
  shop: string;
  /** When the run that computed it finished. */
  at: Date;
  figure: TruthFigure;
}

/**
 * The latest figure of each shop verified in the last 7 days (before `now`), worst 24-hour mismatch rate first.
 * `shops` narrows it; `limit` keeps the worst ones.
 */
export async function latestTruthFigures(
  options: { shops?: string[]; limit?: number; now?: Date } = {},
): Promise<ShopTruth[]> {
  const now = options.now ?? new Date();
  const { rows } = await pgPool().query<{ shop: string; at: Date; truth: unknown }>(
    `SELECT DISTINCT ON (shop) shop, created_at AS at, metadata->'truth' AS truth
       FROM sync_event
      WHERE event_type = 'VERIFICATION' AND status = 'SUCCESS' AND metadata ? 'truth'
        AND created_at > $1 AND created_at <= $2 AND ($3::text[] IS NULL OR shop = ANY($3::text[]))
      ORDER BY shop, created_at DESC, id DESC`,
    [new Date(now.getTime() - WINDOWS["7d"]), now, options.shops ?? null],
  );
  const figures = rows.flatMap((row) => {
    const parsed = truthFigure.safeParse(row.truth);
    return parsed.success ? [{ shop: row.shop, at: row.at, figure: parsed.data }] : [];
  });
  const rate = (t: ShopTruth) => truthShares(t.figure, "24h").mismatchRate ?? -1;
  figures.sort((a, b) => rate(b) - rate(a) || a.shop.localeCompare(b.shop));
  return options.limit === undefined ? figures : figures.slice(0, options.limit);
}

/** The latest figure of one shop, or null when it has not been verified in 7 days. */
export async function latestTruthFigure(shop: string, now?: Date): Promise<ShopTruth | null> {
  const [figure] = await latestTruthFigures({ shops: [shop], now });
  return figure ?? null;
}
