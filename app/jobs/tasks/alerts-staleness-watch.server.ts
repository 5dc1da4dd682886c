import type { Task } from "graphile-worker";
import { z } from "zod";
import { watchStaleness } from "~/alerts/staleness.server";
import { TASK } from "~/jobs/task-names";

// Cron (every 15 minutes): alerts on shops with no successful product sync in 26 h or inventory sync in 3 h, and
// resolves those that caught up. Judged at the time it runs (a backfilled run asks "stale now?", which is the point).
export const ALERTS_STALENESS_WATCH_TASK = TASK.alertsStalenessWatch;

// Cron jobs carry graphile-worker's `_cron` field; nothing else is expected.
const payload = z.object({}).passthrough();

export const alertsStalenessWatch: Task = async (raw, helpers) => {
  payload.parse(raw ?? {});
  const { stale, recovered } = await watchStaleness(new Date());
  const opened = stale.filter((s) => s.outcome === "opened").length;
  if (opened > 0 || recovered.length > 0) {
    helpers.logger.info(`staleness: ${stale.length} stale (${opened} new), ${recovered.length} recovered`);
  }
};
