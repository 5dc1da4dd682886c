import { notifyAdmins } from "~/alerts/notify-admins.server";
import { recordSyncEvent } from "~/analytics/record-sync-event.server";
import { prisma } from "~/db.server";
import {
  finishInventoryRead,
  queueInventoryReadCheck,
  type InventoryReadOutcome,
} from "~/inventory/inventory-read-operation.server";
import { INVENTORY_READ_QUEUE, inventoryReadCheckPayload } from "~/inventory/inventory-read-payloads.server";
import { enqueue } from "~/jobs/queue.server";
import { bulkOperationPollDelayMs, retryDelayMs } from "~/jobs/retry-policy";
import { shopJobOptions } from "~/jobs/shop-jobs";
import { TASK } from "~/jobs/task-names";
import type { RetryMeta } from "~/jobs/task-payloads";
import type { AdminClient } from "~/shopify-admin/admin-client.server";
import { adminClientForShop } from "~/shopify-admin/client-for-shop.server";
import { ShopifyAccessRevokedError } from "~/shopify-admin/errors";
import type { ResultFileOpener } from "~/sync/finish-product-export.server";
import { defineTask, PermanentJobError } from "../define-task.server";
import { INVENTORY_SYNC_RETRY } from "./inventory-sync.server";
import { failShopRun } from "./shop-run-failure.server";

// The second half of a bulk full read of a shop's levels (app/inventory/inventory-read-operation.server.ts): queued by
// the run that started it (the polling fallback), by its previous poll, or by the bulk_operations/finish webhook
// (app/sync/enqueue-export-check.server.ts tells a read from a product export by its bulk_operation row). Still
// building: the next poll is queued, backing off, and the job returns. Finished: the file is applied and the run's
// INVENTORY_SYNC event recorded, as the paged read records it (mode, levels, changed, removed, the reconciliation's
// `corrected`), dated from when the run began.
//
// A read that ends badly (FAILED, CANCELED, an expired URL, a malformed or short file) changed nothing; it is a
// FAILURE event, and the run is queued again as its next attempt under the inventory sync's policy (the attempt
// travels on the operation's row); after the last one, or at once for ACCESS_DENIED, admins are told once. A check
// that itself fails (Shopify or the database unreachable) is retried quickly by defineTask.

const INVENTORY_READ_CHECK_RETRY = { maxAttempts: 5, firstDelayMs: 30_000 };

export interface InventoryReadCheckDependencies {
  clientFor(shop: string): Promise<AdminClient>;
  openResultFile?: ResultFileOpener;
  /** Wait before poll n: like the product export's, from 15 s backing off to 5 minutes. */
  pollDelayMs?: (poll: number) => number;
  now?: () => Date;
  applyBatchSize?: number;
}

export function createInventoryReadCheckTask(dependencies: InventoryReadCheckDependencies) {
  const now = dependencies.now ?? (() => new Date());
  const pollDelayMs = dependencies.pollDelayMs ?? bulkOperationPollDelayMs;
  const policy = INVENTORY_SYNC_RETRY;

  async function recordOutcome(
    shop: string,
    merchantId: string,
    outcome: Extract<InventoryReadOutcome, { kind: "applied" | "failed" }>,
    client: AdminClient,
  ) {
    const read = outcome.read;
    // From when the run that started the read began: the read is that run, however long Shopify took to build it.
    const processingTimeMs = Math.max(0, now().getTime() - new Date(read.runStartedAt).getTime());
    const common = {
      mode: read.mode,
      read: "bulk",
      operationId: read.operationId,
      locationIds: read.locationIds,
      attempt: read.syncAttempt,
      maxAttempts: policy.maxAttempts,
    };
    if (outcome.kind === "applied") {
      const applied = outcome.applied;
      // A variant Shopify has and we do not: the product sync fetches it (as after a paged read).
      const productSyncQueued = applied.unknown > 0;
      if (productSyncQueued) {
        await enqueue(TASK.productSync, { shop, reason: "follow-up" }, shopJobOptions(TASK.productSync, shop));
      }
      await recordSyncEvent({
        shop,
        merchantId,
        eventType: "INVENTORY_SYNC",
        status: "SUCCESS",
        itemCount: applied.changed,
        processingTimeMs,
        metadata: {
          ...common,
          since: null,
          pages: 0,
          lines: applied.linesRead,
          levels: applied.levels,
          changed: applied.changed,
          removed: applied.removed,
          // What a reconciliation corrected: what the hourly sync and the webhooks had missed (the merchant admin page).
          ...(read.mode === "reconcile" ? { corrected: applied.changed } : {}),
          stale: applied.stale,
          notSelected: applied.notSelected,
          unknown: applied.unknown,
          unknownSampleInventoryItemIds: applied.unknownSampleInventoryItemIds,
          productSyncQueued,
          requests: client.stats.requests,
          throttled: client.stats.throttled,
        },
      });
      return;
    }

    await recordSyncEvent({
      shop,
      merchantId,
      eventType: "INVENTORY_SYNC",
      status: "FAILURE",
      itemCount: 0,
      processingTimeMs,
      errorMessage: outcome.reason,
      metadata: { ...common, errorCode: outcome.errorCode, retryable: outcome.retryable },
    });
    const task = read.mode === "reconcile" ? TASK.inventoryReconcile : TASK.inventorySync;
    if (outcome.retryable && read.syncAttempt < policy.maxAttempts) {
      await enqueue(
        task,
        {
          shop,
          reason: "follow-up",
          _retry: { attempt: read.syncAttempt + 1, lastError: outcome.reason } satisfies RetryMeta,
        },
        { ...shopJobOptions(task, shop), runAt: new Date(now().getTime() + retryDelayMs(policy, read.syncAttempt)) },
      );
      return;
    }
    await notifyAdmins({
      type: "SYNC_FAILURE",
      severity: "CRITICAL",
      shop,
      jobType: task,
      title: `The inventory ${read.mode === "reconcile" ? "reconciliation" : "sync"} of ${shop} failed: ${outcome.reason}`,
      data: { operationId: read.operationId, attempt: read.syncAttempt, errorCode: outcome.errorCode },
    });
  }

  return defineTask({
    name: TASK.inventoryReadCheck,
    payload: inventoryReadCheckPayload,
    retry: INVENTORY_READ_CHECK_RETRY,
    queueName: (payload) => INVENTORY_READ_QUEUE(payload.shop),
    async run(payload, { helpers, attempt, maxAttempts }) {
      const started = performance.now();
      const connection = await prisma.merchantConnection.findUnique({
        where: { shop: payload.shop },
        select: { active: true, merchantId: true },
      });
      if (!connection?.active) {
        helpers.logger.info(`inventory-read-check: ${payload.shop} is inactive; read ${payload.operationId} ignored`);
        return;
      }
      let outcome: InventoryReadOutcome;
      let client: AdminClient;
      try {
        client = await dependencies.clientFor(payload.shop);
        outcome = await finishInventoryRead({
          client,
          shop: payload.shop,
          operationId: payload.operationId,
          openResultFile: dependencies.openResultFile,
          now,
          applyBatchSize: dependencies.applyBatchSize,
        });
      } catch (error) {
        return failShopRun(error, {
          shop: payload.shop,
          eventType: "INVENTORY_SYNC",
          startedAt: started,
          attempt,
          maxAttempts,
        });
      }
      switch (outcome.kind) {
        case "pending":
          await queueInventoryReadCheck(
            { ...payload, trigger: "poll", poll: payload.poll + 1 },
            { runAt: new Date(now().getTime() + pollDelayMs(payload.poll + 1)) },
          );
          return;
        case "unknown-operation":
          helpers.logger.info(
            `inventory-read-check: ${payload.operationId} of ${payload.shop} is not an inventory read`,
          );
          return;
        case "already-handled":
          return;
        default:
          helpers.logger.info(
            outcome.kind === "applied"
              ? `inventory-read-check ${payload.shop}: bulk ${outcome.read.mode}, ${outcome.applied.levels} level(s), ${outcome.applied.changed} changed, ${outcome.applied.removed} removed`
              : `inventory-read-check ${payload.shop}: read ${payload.operationId} failed (${outcome.reason})`,
          );
          await recordOutcome(payload.shop, connection.merchantId, outcome, client);
      }
    },
    async onGaveUp(payload, error) {
      // A revoked token deactivated the shop (failShopRun), which cancelled its reads: nothing more to say.
      if (error instanceof PermanentJobError && error.cause instanceof ShopifyAccessRevokedError) return;
      // No longer in flight for us: the next full read starts its own rather than waiting for this one.
      await prisma.bulkOperation.updateMany({
        where: { id: BigInt(payload.operationId), ingestedAt: null, error: null },
        data: { error: `The check gave up: ${error instanceof Error ? error.message : String(error)}` },
      });
      await notifyAdmins({
        type: "SYNC_FAILURE",
        severity: "CRITICAL",
        shop: payload.shop,
        jobType: TASK.inventorySync,
        title: `The bulk inventory read ${payload.operationId} of ${payload.shop} could not be checked`,
        data: { operationId: payload.operationId, error: error instanceof Error ? error.message : String(error) },
      });
    },
  });
}

export const inventoryReadCheck = createInventoryReadCheckTask({ clientFor: (shop) => adminClientForShop(shop) });
