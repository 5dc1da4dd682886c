import { reconciliationCorrections } from "~/inventory/reconciliation-corrections.server";
import { productSyncsInProgress } from "~/sync/product-sync-progress.server";
import { latestTruthFigures } from "~/verification/truth-figure.server";
import { listSyncEvents } from "./list-sync-events.server";
import { listShopOptions } from "./shop-options.server";
import { getSyncMonitorStats } from "./sync-monitor-stats.server";
import { parseSyncMonitorQuery, rangeOf } from "./sync-monitor-query";

/** How many shops the truth card lists (the worst 24-hour mismatch rates). */
export const TRUTH_SHOPS_SHOWN = 10;

/**
 * Everything the sync monitor page shows for one URL: the page of events, the range's statistics, the merchants, and
 * the truth figures (of the filtered merchant, or the worst shops).
 */
export async function loadSyncMonitor(params: URLSearchParams, now = new Date()) {
  const { query, ignored } = parseSyncMonitorQuery(params, now);
  const [page, stats, shops, syncsRunning, reconciliation, truth] = await Promise.all([
    listSyncEvents(query),
    getSyncMonitorStats(query),
    listShopOptions(),
    productSyncsInProgress({ shop: query.shop ?? undefined }),
    reconciliationCorrections({ ...rangeOf(query), shop: query.shop }),
    latestTruthFigures({ shops: query.shop ? [query.shop] : undefined, limit: TRUTH_SHOPS_SHOWN, now }),
  ]);
  return { query, ignored, shops, stats, ...page, syncsRunning, reconciliation, truth, generatedAt: now.toISOString() };
}
