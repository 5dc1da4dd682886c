import { prisma } from "~/db.server";
import { MerchantError } from "./merchant-error";
import { cancelPendingShopJobs } from "./shop-job-control.server";

/**
 * Pauses or resumes a merchant's syncing without touching their approval (maintenance on their side, an operator
 * investigating). Pausing also drops the jobs already queued; resuming waits for the next scheduled runs.
 */
export async function setSyncPaused({ shop, paused, by }: { shop: string; paused: boolean; by: string }) {
  const { count } = await prisma.merchantConnection.updateMany({ where: { shop }, data: { syncPaused: paused } });
  if (count === 0) throw new MerchantError("CONNECTION_NOT_FOUND", `No merchant connection for ${shop}`, { shop });
  if (paused) await cancelPendingShopJobs(shop);
  console.info(`[merchants] sync of ${shop} ${paused ? "paused" : "resumed"} by ${by}`);
}
