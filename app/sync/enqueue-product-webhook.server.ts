import { pgPool } from "~/db.server";
import { enqueue } from "~/jobs/queue.server";
import { TASK } from "~/jobs/task-names";
import type { ProductWebhookJobPayload } from "./product-job-payloads.server";
import type { Queryable } from "~/lib/queryable.server";

/**
 * The products/* webhook routes' whole job after verification and dedupe: queue the change (on `db`, the receipt's
 * transaction, so the two commit together), answer 200 at once.
 */
export async function enqueueProductWebhook(payload: ProductWebhookJobPayload, db: Queryable = pgPool()) {
  return enqueue(TASK.productWebhook, payload, { on: db });
}
