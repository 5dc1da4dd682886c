import { defineTask } from "../define-task.server";
import { shopJobPayload } from "../shop-jobs";
import { TASK } from "../task-names";

// PLACEHOLDER until the product sync issue (4) lands: records that it ran, nothing else.
export const productSync = defineTask({
  name: TASK.productSync,
  payload: shopJobPayload,
  async run(payload, { helpers, attempt }) {
    helpers.logger.info(`product-sync for ${payload.shop} ran (attempt ${attempt}); not implemented yet`);
  },
});
