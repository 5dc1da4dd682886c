import { prisma } from "~/db.server";
import { DomainError } from "~/lib/domain-error";
import { cancelPendingShopJobs } from "./shop-job-control.server";
import { logger } from "~/lib/logger.server";

/**
 * Pauses or resumes a merchant's syncing without touching their approval (maintenance on their side, an operator
 * investigating). Pausing also drops the jobs already queued; resuming waits for the next scheduled runs, and the
 * staleness watch counts from the resumption (syncPausedChangedAt). Asking for the state it is already in changes
 * nothing, so a repeated resume does not restart that grace period.
 */
export async function setSyncPaused({
  shop,
  paused,
  by,
  now = new Date(),
}: {
  shop: string;
  paused: boolean;
  by: string;
  now?: Date;
}) {
  const changed = await prisma.merchantConnection.updateMany({
    where: { shop, syncPaused: !paused },
    data: { syncPaused: paused, syncPausedChangedAt: now },
  });
  if (changed.count === 0 && (await prisma.merchantConnection.count({ where: { shop } })) === 0) {
    throw new DomainError("CONNECTION_NOT_FOUND", `No merchant connection for ${shop}`, { shop });
  }
  if (paused) await cancelPendingShopJobs(shop);
  logger.info(
    { scope: "merchants", shop, by, outcome: paused ? "paused" : "resumed" },
    `sync of ${shop} ${paused ? "paused" : "resumed"} by ${by}`,
  );
}
