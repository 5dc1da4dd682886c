import { pgPool } from "~/db.server";
import { enqueueMany } from "~/jobs/queue.server";
import { shopJobKey } from "~/jobs/shop-jobs";
import { TASK } from "~/jobs/task-names";
import { schedulableSql } from "~/merchants/schedulable";

/**
 * One verification of every schedulable shop, due at `now` rather than spread over VERIFICATION_SPREAD_MINUTES: what
 * the demo and the soak run to measure truth at a moment. A shop's pending verification (the hourly fan-out's, under
 * the same job key) is moved to `now`, not doubled. Returns the shops queued.
 */
export async function queueVerificationOfAllShops(now: Date = new Date()): Promise<string[]> {
  const { rows } = await pgPool().query<{ shop: string }>(
    `SELECT m.shop FROM merchant_connection m WHERE ${schedulableSql("m")} ORDER BY m.shop`,
  );
  await enqueueMany(
    TASK.verification,
    rows.map(({ shop }) => ({
      payload: { shop, reason: "manual" as const },
      runAt: now,
      jobKey: shopJobKey(TASK.verification, shop),
    })),
    { preserveRunAt: false },
  );
  return rows.map((r) => r.shop);
}
