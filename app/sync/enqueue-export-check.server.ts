import { pgPool } from "~/db.server";
import { enqueue } from "~/jobs/queue.server";
import { TASK } from "~/jobs/task-names";
import { exportCheckJob, type ProductExportCheckPayload } from "./product-job-payloads.server";
import type { Queryable } from "~/lib/queryable.server";
import { bulkOperationNumericId } from "./product-export-operation.server";
import { queueInventoryReadCheck } from "~/inventory/inventory-read-operation.server";

/**
 * The bulk_operations/finish webhook's whole job: queue a check of that operation now (on `db`, the receipt's
 * transaction), the check of its kind: the webhook names only the operation, and a shop's product export and its
 * full inventory read may both be in flight. Our bulk_operation row says which it is; an operation we have no row
 * of (another app's, or one whose start was not recorded yet) goes to the export check, which ignores what is not
 * its own. A check takes the place of the pending poll of the same kind (same job key) and runs in that kind's queue
 * of the shop, never beside another check of it.
 */
export async function enqueueExportCheckFromWebhook(shop: string, operationGid: string, db: Queryable = pgPool()) {
  const operationId = bulkOperationNumericId(operationGid);
  const { rows } = await db.query<{ kind: string }>(
    "SELECT kind::text FROM bulk_operation WHERE id = $1 AND shop = $2",
    [operationId, shop],
  );
  if (rows[0]?.kind === "INVENTORY_READ") {
    return queueInventoryReadCheck({ shop, operationId, trigger: "webhook", poll: 0 }, { on: db });
  }
  const payload: ProductExportCheckPayload = { shop, operationId, trigger: "webhook", poll: 0 };
  return enqueue(TASK.productExportCheck, payload, { ...exportCheckJob(shop), on: db });
}
