import { z } from "zod";
import { purgeUninstalledShops } from "~/merchants/purge-uninstalled-shops.server";
import { defineTask } from "../define-task.server";
import { TASK } from "../task-names";

// Daily: deletes the catalogue of shops whose uninstall grace period is over (app/merchants/purge-uninstalled-shops.server.ts).
export const purgeUninstalledShopsTask = defineTask({
  name: TASK.purgeUninstalledShops,
  // graphile-worker's cron adds `_cron`; nothing else is needed, the database says which shops are due.
  payload: z.object({ _cron: z.unknown().optional() }),
  async run(_payload, { helpers }) {
    const purged = await purgeUninstalledShops();
    for (const shop of purged) {
      helpers.logger.info(`purged ${shop.shop}: ${shop.products} product(s), ${shop.variants} variant(s)`);
    }
    helpers.logger.info(`purge-uninstalled-shops: ${purged.length} shop(s) purged`);
  },
});
