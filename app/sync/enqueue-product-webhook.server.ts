import { workerUtils } from "~/jobs/queue.server";
import { TASK } from "~/jobs/task-names";
import type { ProductWebhookJobPayload } from "~/jobs/tasks/product-webhook.server";

/** The products/* webhook routes' whole job after verification and dedupe: queue the change, answer 200 at once. */
export async function enqueueProductWebhook(payload: ProductWebhookJobPayload) {
  const utils = await workerUtils();
  return utils.addJob(TASK.productWebhook, payload, { maxAttempts: 1 }); // retries: retry-policy.ts via defineTask
}
