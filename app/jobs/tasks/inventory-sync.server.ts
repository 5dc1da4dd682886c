import { defineTask } from "../define-task.server";
import { shopJobPayload } from "../shop-jobs";
import { TASK } from "../task-names";

// PLACEHOLDER until the inventory sync issue (5) lands: records that it ran, nothing else.
export const inventorySync = defineTask({
  name: TASK.inventorySync,
  payload: shopJobPayload,
  async run(payload, { helpers, attempt }) {
    helpers.logger.info(`inventory-sync for ${payload.shop} ran (attempt ${attempt}); not implemented yet`);
  },
});
