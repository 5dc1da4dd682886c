import { pgPool } from "~/db.server";
import { enqueue } from "~/jobs/queue.server";
import { TASK } from "~/jobs/task-names";
import { exportCheckJob, type ProductExportCheckPayload } from "./product-job-payloads.server";
import type { Queryable } from "~/lib/queryable.server";
import { bulkOperationNumericId } from "./product-export-operation.server";

/**
 * The bulk_operations/finish webhook's whole job: queue a check of that operation now (on `db`, the receipt's
 * transaction). It takes the place of the pending poll of the shop (same job key) and runs in the shop's export
 * queue, never beside another check.
 */
export async function enqueueExportCheckFromWebhook(shop: string, operationGid: string, db: Queryable = pgPool()) {
  const payload: ProductExportCheckPayload = {
    shop,
    operationId: bulkOperationNumericId(operationGid),
    trigger: "webhook",
    poll: 0,
  };
  return enqueue(TASK.productExportCheck, payload, { ...exportCheckJob(shop), on: db });
}
