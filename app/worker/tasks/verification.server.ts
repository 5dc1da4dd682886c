import { notifyAdmins } from "~/alerts/notify-admins.server";
import type { AdminClient } from "~/shopify-admin/admin-client.server";
import { adminClientForShop } from "~/shopify-admin/client-for-shop.server";
import { verifyShop } from "~/verification/verify-shop.server";
import { defineTask } from "../define-task.server";
import { shopJobKey, shopJobPayload } from "~/jobs/shop-jobs";
import { TASK } from "~/jobs/task-names";
import { failShopRun } from "./shop-run-failure.server";

// The hourly verification of one shop (app/verification): a rotating sample of its listed variants read back from
// Shopify and compared. Two attempts a minute apart (the next hourly run verifies the same variants anyway); the
// admins hear of a failure once, after the last attempt. A revoked token deactivates the connection, as the syncs do.

export interface VerificationDependencies {
  clientFor(shop: string): Promise<AdminClient>;
  now?: () => Date;
}

export function createVerificationTask(dependencies: VerificationDependencies) {
  return defineTask({
    name: TASK.verification,
    payload: shopJobPayload,
    retry: { maxAttempts: 2, firstDelayMs: 60_000 },
    exclusiveKey: (payload) => shopJobKey(TASK.verification, payload.shop),
    async run(payload, { helpers, attempt, maxAttempts }) {
      const started = performance.now();
      try {
        const client = await dependencies.clientFor(payload.shop);
        const result = await verifyShop({ shop: payload.shop, client, now: dependencies.now });
        helpers.logger.info(
          result.skipped
            ? `verification ${payload.shop}: skipped (${result.skipped})`
            : `verification ${payload.shop}: ${result.verified} of ${result.listed} verified, ${result.mismatched} mismatched, ${result.inFlight} in flight, ${result.points.spent} of ${result.points.allowance ?? "?"} points${result.budgetExhausted ? " (budget spent)" : ""}`,
        );
      } catch (error) {
        await failShopRun(error, {
          shop: payload.shop,
          eventType: "VERIFICATION",
          startedAt: started,
          attempt,
          maxAttempts,
          reason: payload.reason,
        });
      }
    },
    async onGaveUp(payload, error) {
      await notifyAdmins({
        type: "SYNC_FAILURE",
        severity: "WARNING",
        shop: payload.shop,
        jobType: TASK.verification,
        title: `The verification of ${payload.shop} against Shopify failed`,
        data: { error: error instanceof Error ? error.message : String(error) },
      });
    },
  });
}

export const verification = createVerificationTask({ clientFor: (shop) => adminClientForShop(shop) });
