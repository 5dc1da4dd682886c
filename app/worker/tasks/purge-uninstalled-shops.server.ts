import { purgeUninstalledShops } from "~/merchants/purge-uninstalled-shops.server";
import { defineTask } from "../define-task.server";
import { cronPayload } from "~/jobs/task-payloads";
import { TASK } from "~/jobs/task-names";

const SECOND = 1000;
const HOUR = 60 * 60 * SECOND;

// Daily: deletes the catalogue of shops whose uninstall grace period is over (app/merchants/purge-uninstalled-shops.server.ts).
export const purgeUninstalledShopsTask = defineTask({
  name: TASK.purgeUninstalledShops,
  // Nothing is needed beside the cron's `_cron`: the database says which shops are due.
  payload: cronPayload,
  // The purge is idempotent (it deletes what is due); a few retries cover a database restart.
  retry: { maxAttempts: 3, firstDelayMs: 5 * 60 * SECOND },
  // Daily at 04:30 UTC, after the product syncs have started.
  schedule: { identifier: "purge-uninstalled-shops", match: "30 4 * * *", backfillPeriod: 24 * HOUR },
  async run(_payload, { helpers }) {
    const purged = await purgeUninstalledShops();
    for (const shop of purged) {
      helpers.logger.info(`purged ${shop.shop}: ${shop.products} product(s), ${shop.variants} variant(s)`);
    }
    helpers.logger.info(`purge-uninstalled-shops: ${purged.length} shop(s) purged`);
  },
});
