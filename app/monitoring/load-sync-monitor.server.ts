import { productSyncsInProgress } from "~/sync/product-sync-progress.server";
import { listSyncEvents } from "./list-sync-events.server";
import { listShopOptions } from "./shop-options.server";
import { getSyncMonitorStats } from "./sync-monitor-stats.server";
import { parseSyncMonitorQuery } from "./sync-monitor-query";

/** Everything the sync monitor page shows for one URL: the page of events, the range's statistics, the merchants. */
export async function loadSyncMonitor(params: URLSearchParams, now = new Date()) {
  const { query, ignored } = parseSyncMonitorQuery(params, now);
  const [page, stats, shops, syncsRunning] = await Promise.all([
    listSyncEvents(query),
    getSyncMonitorStats(query),
    listShopOptions(),
    productSyncsInProgress({ shop: query.shop ?? undefined }),
  ]);
  return { query, ignored, shops, stats, ...page, syncsRunning, generatedAt: now.toISOString() };
}
