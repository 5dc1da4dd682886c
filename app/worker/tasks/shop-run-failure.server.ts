import type { SyncEventType } from "@prisma/client";
import { recordSyncEvent } from "~/analytics/record-sync-event.server";
import { deactivateConnection } from "~/merchants/deactivate-connection.server";
import { ShopifyAccessRevokedError } from "~/shopify-admin/errors";
import { PermanentJobError } from "../define-task.server";

/**
 * What a per-shop run that talks to Shopify does when it fails: a revoked shop is deactivated, the attempt is a
 * FAILURE event, and the error goes on to defineTask's retry policy; a revoked token is final (PermanentJobError:
 * retrying cannot help). Always throws.
 */
export async function failShopRun(
  error: unknown,
  run: {
    shop: string;
    eventType: SyncEventType;
    startedAt: number;
    attempt: number;
    maxAttempts: number;
    reason?: string;
  },
): Promise<never> {
  const revoked = error instanceof ShopifyAccessRevokedError;
  if (revoked) await deactivateConnection(run.shop);
  await recordSyncEvent({
    shop: run.shop,
    eventType: run.eventType,
    status: "FAILURE",
    processingTimeMs: performance.now() - run.startedAt,
    errorMessage: (error as Error).message,
    metadata: {
      attempt: run.attempt,
      maxAttempts: run.maxAttempts,
      reason: run.reason,
      ...(revoked ? { connectionDeactivated: true } : {}),
    },
  }).catch(() => undefined); // the failure itself matters more than its record
  if (revoked) throw new PermanentJobError((error as Error).message, { cause: error });
  throw error;
}
