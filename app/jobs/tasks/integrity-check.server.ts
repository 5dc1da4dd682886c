import { defineTask } from "../define-task.server";
import { shopJobPayload } from "../shop-jobs";
import { TASK } from "../task-names";

// PLACEHOLDER until the integrity check issue (5) lands: records that it ran, nothing else.
export const integrityCheck = defineTask({
  name: TASK.integrityCheck,
  payload: shopJobPayload,
  async run(payload, { helpers, attempt }) {
    helpers.logger.info(`integrity-check for ${payload.shop} ran (attempt ${attempt}); not implemented yet`);
  },
});
