import { TASK } from "~/jobs/task-names";
import { workerUtils } from "~/jobs/queue.server";
import { PRODUCT_EXPORT_QUEUE, type ProductExportCheckPayload } from "~/jobs/tasks/product-sync.server";
import { bulkOperationNumericId } from "./product-export-operation.server";

/**
 * The bulk_operations/finish webhook's whole job: queue a check of that operation now. It takes the place of the
 * pending poll of the shop (same job key) and runs in the shop's export queue, never beside another check.
 */
export async function enqueueExportCheckFromWebhook(shop: string, operationGid: string) {
  const payload: ProductExportCheckPayload = {
    shop,
    operationId: bulkOperationNumericId(operationGid),
    trigger: "webhook",
    poll: 0,
  };
  const utils = await workerUtils();
  return utils.addJob(TASK.productExportCheck, payload, {
    queueName: PRODUCT_EXPORT_QUEUE(shop),
    jobKey: `${TASK.productExportCheck}:${shop}`,
    jobKeyMode: "replace",
    maxAttempts: 1,
  });
}
