import { reconciliationCorrections } from "~/inventory/reconciliation-corrections.server";
import { productSyncsInProgress } from "~/sync/product-sync-progress.server";
import { listSyncEvents } from "./list-sync-events.server";
import { listShopOptions } from "./shop-options.server";
import { getSyncMonitorStats } from "./sync-monitor-stats.server";
import { parseSyncMonitorQuery, rangeOf } from "./sync-monitor-query";

/** Everything the sync monitor page shows for one URL: the page of events, the range's statistics, the merchants. */
export async function loadSyncMonitor(params: URLSearchParams, now = new Date()) {
  const { query, ignored } = parseSyncMonitorQuery(params, now);
  const [page, stats, shops, syncsRunning, reconciliation] = await Promise.all([
    listSyncEvents(query),
    getSyncMonitorStats(query),
    listShopOptions(),
    productSyncsInProgress({ shop: query.shop ?? undefined }),
    reconciliationCorrections({ ...rangeOf(query), shop: query.shop }),
  ]);
  return { query, ignored, shops, stats, ...page, syncsRunning, reconciliation, generatedAt: now.toISOString() };
}
