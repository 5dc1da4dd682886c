import type { JobHelpers } from "graphile-worker";
import { notifyAdmins } from "~/alerts/notify-admins.server";
import { recordSyncEvent } from "~/analytics/record-sync-event.server";
import { prisma } from "~/db.server";
import { deactivateConnection } from "~/merchants/deactivate-connection.server";
import { ShopifyAccessRevokedError } from "~/shopify-admin/errors";
import { adminClientForShop } from "~/shopify-admin/client-for-shop.server";
import type { AdminClientFactory } from "~/sync/admin-client-port.server";
import type { IngestSummary } from "~/sync/bulk-export-ingest.server";
import { finishProductExport, type ExportOutcome, type ResultFileOpener } from "~/sync/finish-product-export.server";
import { isActiveStatus, startOrAdoptProductExport } from "~/sync/product-export-operation.server";
import {
  exportCheckJob,
  PRODUCT_EXPORT_QUEUE,
  productExportCheckPayload,
  type ProductExportCheckPayload,
} from "~/sync/product-job-payloads.server";
import { defineTask, PermanentJobError } from "../define-task.server";
import type { RetryMeta } from "~/jobs/task-payloads";
import { enqueue } from "~/jobs/queue.server";
import { bulkOperationPollDelayMs, retryDelayMs, type RetryPolicy } from "~/jobs/retry-policy";
import { shopJobKey, shopJobOptions, shopJobPayload } from "~/jobs/shop-jobs";
import { TASK } from "~/jobs/task-names";

// The daily product sync of one shop, in two tasks so no worker waits while Shopify builds the export:
//
// 1. `product-sync` {shop, reason}: starts the bulk export (or adopts one already building) and queues a
//    `product-export-check` as the polling fallback. Returns at once.
// 2. `product-export-check` {shop, operationId, trigger, poll}: queued by the bulk_operations/finish webhook (the
//    normal path) or by the previous poll. If Shopify is still building, it queues the next poll (backing off)
//    and returns; once finished, it ingests and records the run.
//
// Both run per shop in the named queue `product-export:<shop>`, so a webhook and a poll never ingest at once.
//
// Attempts: a failed start is retried by defineTask (its policy: 3 attempts, from 60 s). An export that
// ends badly (TIMEOUT, expired URL, CANCELED...) is retried by queueing `product-sync` again as its next attempt,
// with the same policy; the attempt number travels on the bulk_operation row. After the last attempt, or at once
// for a permanent failure (ACCESS_DENIED), admins are notified once. A revoked token deactivates the connection
// and fails for good (PermanentJobError), without retries.

const PRODUCT_SYNC_RETRY: RetryPolicy = { maxAttempts: 3, firstDelayMs: 60_000 };
// A failed check (Shopify or the database unreachable) is retried quickly; the export itself is retried by queueing
// product-sync again.
const EXPORT_CHECK_RETRY: RetryPolicy = { maxAttempts: 5, firstDelayMs: 30_000 };

export interface ProductSyncDependencies {
  adminClientFor: AdminClientFactory;
  openResultFile?: ResultFileOpener;
  /** Wait before poll n (0-based). Shopify's exports take seconds to hours: start soon, back off to 5 minutes. */
  pollDelayMs?: (poll: number) => number;
  productBatchSize?: number;
  now?: () => number;
}

async function syncableConnection(shop: string) {
  return prisma.merchantConnection.findUnique({
    where: { shop },
    select: { shop: true, merchantId: true, active: true, approvalStatus: true, syncPaused: true },
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function handleRevokedToken(
  shop: string,
  merchantId: string | null,
  error: ShopifyAccessRevokedError,
  metadata: Record<string, string>,
) {
  await deactivateConnection(shop);
  await recordSyncEvent({
    shop,
    merchantId,
    eventType: "PRODUCT_SYNC",
    status: "FAILURE",
    errorMessage: error.message,
    metadata: { ...metadata, outcome: "access-revoked", connectionDeactivated: true },
  });
  throw new PermanentJobError(`${error.message}; connection deactivated`, { cause: error });
}

/**
 * A failed attempt of either task, before defineTask retries it or gives up: a revoked token deactivates the
 * connection and fails for good (handleRevokedToken throws); any other error leaves a FAILURE event, so every
 * attempt shows, and is thrown again. The event is best effort: when the database is what failed, recording it may
 * fail too, and the original error is the one to retry on and report.
 */
async function failAttempt(
  shop: string,
  merchantId: string | null,
  error: unknown,
  metadata: { stage: "start" | "finish"; operationId?: string; attempt: number; maxAttempts: number },
  logger: JobHelpers["logger"],
): Promise<never> {
  if (error instanceof ShopifyAccessRevokedError) {
    const { stage, operationId } = metadata;
    await handleRevokedToken(shop, merchantId, error, operationId ? { stage, operationId } : { stage });
  }
  await recordSyncEvent({
    shop,
    merchantId,
    eventType: "PRODUCT_SYNC",
    status: "FAILURE",
    errorMessage: messageOf(error),
    metadata,
  }).catch((recordError: Error) =>
    logger.error(`could not record the failed ${metadata.stage} of ${shop}'s product sync: ${recordError.message}`),
  );
  throw error;
}

export function createProductSyncTasks(dependencies: ProductSyncDependencies) {
  const now = dependencies.now ?? Date.now;
  const pollDelayMs = dependencies.pollDelayMs ?? bulkOperationPollDelayMs;
  const policy = PRODUCT_SYNC_RETRY;

  async function queueCheck(payload: ProductExportCheckPayload, delayMs: number) {
    await enqueue(TASK.productExportCheck, payload, {
      ...exportCheckJob(payload.shop),
      runAt: new Date(now() + delayMs),
    });
  }

  const productSync = defineTask({
    name: TASK.productSync,
    payload: shopJobPayload,
    retry: policy,
    // Two runs at once would both find no export running and start two.
    exclusiveKey: (payload) => shopJobKey(TASK.productSync, payload.shop),
    now,
    async run(payload, { helpers, attempt }) {
      const connection = await syncableConnection(payload.shop);
      if (!connection?.active || connection.approvalStatus !== "APPROVED" || connection.syncPaused) {
        helpers.logger.info(`product-sync: ${payload.shop} is not syncable (inactive, unapproved or paused); skipped`);
        return;
      }
      try {
        const client = await dependencies.adminClientFor(payload.shop);
        const started = await startOrAdoptProductExport(client, payload.shop, attempt);
        helpers.logger.info(
          `product-sync: ${started.adopted ? "adopted" : "started"} bulk export ${started.operationId} for ${payload.shop} (attempt ${attempt})`,
        );
        // An adopted export may already have finished: check it at once then.
        const delay = isActiveStatus(started.status) ? pollDelayMs(0) : 0;
        await queueCheck({ shop: payload.shop, operationId: started.operationId, trigger: "poll", poll: 0 }, delay);
      } catch (error) {
        await failAttempt(
          payload.shop,
          connection.merchantId,
          error,
          { stage: "start", attempt, maxAttempts: policy.maxAttempts },
          helpers.logger,
        );
      }
    },
    async onGaveUp(payload, error) {
      if (error instanceof PermanentJobError && error.cause instanceof ShopifyAccessRevokedError) return;
      await notifyAdmins({
        type: "SYNC_FAILURE",
        severity: "CRITICAL",
        shop: payload.shop,
        jobType: TASK.productSync,
        title: `Product sync of ${payload.shop} failed: ${messageOf(error)}`,
        data: { stage: "start", error: messageOf(error) },
      });
    },
  });

  async function recordOutcome(
    shop: string,
    merchantId: string,
    outcome: Extract<ExportOutcome, { kind: "ingested" | "failed" }>,
    helpers: JobHelpers,
  ) {
    const operation = outcome.operation;
    const processingTimeMs = now() - operation.startedAt.getTime();
    const counts = (s: IngestSummary) => ({
      linesRead: s.linesRead,
      productsWritten: s.productsWritten,
      variantsWritten: s.variantsWritten,
      productsDeleted: s.productsDeleted,
      variantsDeleted: s.variantsDeleted,
      productsInExport: s.productsStaged,
      variantsInExport: s.variantsStaged,
      skippedByType: s.skippedByType,
      malformedCount: s.malformedCount,
      orphanVariants: s.orphanVariants,
      deletionsSkippedReason: s.deletionsSkippedReason,
    });

    if (outcome.kind === "ingested") {
      const summary = outcome.summary;
      const finishedAt = new Date(now());
      await prisma.merchantConnection.update({
        where: { shop },
        data: { lastProductSyncAt: finishedAt, lastCompleteExportAt: finishedAt },
      });
      await recordSyncEvent({
        shop,
        merchantId,
        eventType: "PRODUCT_SYNC",
        status: "SUCCESS",
        itemCount: summary.productsStaged + summary.variantsStaged,
        processingTimeMs,
        metadata: {
          operationId: operation.id,
          attempt: operation.syncAttempt,
          emptyExport: outcome.emptyExport,
          ...counts(summary),
        },
      });
      return;
    }

    const partial = outcome.partial;
    await recordSyncEvent({
      shop,
      merchantId,
      eventType: "PRODUCT_SYNC",
      status: partial ? "PARTIAL" : "FAILURE",
      itemCount: partial ? partial.productsStaged + partial.variantsStaged : 0,
      processingTimeMs,
      errorMessage: outcome.reason,
      metadata: {
        operationId: operation.id,
        attempt: operation.syncAttempt,
        errorCode: outcome.errorCode,
        retryable: outcome.retryable,
        ...(partial ? { partial: counts(partial) } : {}),
      },
    });
    const attempt = operation.syncAttempt;
    if (outcome.retryable && attempt < policy.maxAttempts) {
      const delay = retryDelayMs(policy, attempt);
      await enqueue(
        TASK.productSync,
        { shop, reason: "follow-up", _retry: { attempt: attempt + 1, lastError: outcome.reason } satisfies RetryMeta },
        { ...shopJobOptions(TASK.productSync, shop), runAt: new Date(now() + delay) },
      );
      helpers.logger.warn(
        `product export of ${shop} failed (${outcome.reason}); attempt ${attempt + 1} in ${Math.round(delay / 1000)} s`,
      );
      return;
    }
    await notifyAdmins({
      type: "SYNC_FAILURE",
      severity: "CRITICAL",
      shop,
      jobType: TASK.productSync,
      title: `Product sync of ${shop} failed: ${outcome.reason}`,
      data: { operationId: operation.id, attempt, errorCode: outcome.errorCode, retryable: outcome.retryable },
    });
  }

  const checkPolicy = EXPORT_CHECK_RETRY;

  const productExportCheck = defineTask({
    name: TASK.productExportCheck,
    payload: productExportCheckPayload,
    retry: checkPolicy,
    queueName: (payload) => PRODUCT_EXPORT_QUEUE(payload.shop),
    now,
    async run(payload, { helpers, attempt }) {
      const connection = await syncableConnection(payload.shop);
      if (!connection?.active) {
        helpers.logger.info(`product-export-check: ${payload.shop} is inactive; export ${payload.operationId} ignored`);
        return;
      }
      let outcome: ExportOutcome;
      try {
        outcome = await finishProductExport({
          client: await dependencies.adminClientFor(payload.shop),
          shop: payload.shop,
          operationId: payload.operationId,
          openResultFile: dependencies.openResultFile,
          productBatchSize: dependencies.productBatchSize,
        });
      } catch (error) {
        // A database error, a statement timeout, a full disk while merging: retried in the shop's export queue.
        return failAttempt(
          payload.shop,
          connection.merchantId,
          error,
          { stage: "finish", operationId: payload.operationId, attempt, maxAttempts: checkPolicy.maxAttempts },
          helpers.logger,
        );
      }
      switch (outcome.kind) {
        case "pending":
          await queueCheck({ ...payload, trigger: "poll", poll: payload.poll + 1 }, pollDelayMs(payload.poll + 1));
          return;
        case "unknown-operation":
          // Not an export we started (another app's bulk operation, or a bulk mutation): nothing to do.
          helpers.logger.info(
            `product-export-check: bulk operation ${payload.operationId} of ${payload.shop} is not ours`,
          );
          return;
        case "already-handled":
          return;
        default:
          await recordOutcome(payload.shop, connection.merchantId, outcome, helpers);
      }
    },
    // The check failed on every attempt: admins are told, and the sync is queued again as its next attempt (a new
    // export, or the one still building adopted), unless the sync has used its attempts; the daily run follows.
    async onGaveUp(payload, error) {
      if (error instanceof PermanentJobError && error.cause instanceof ShopifyAccessRevokedError) return;
      const operation = await prisma.bulkOperation.findUnique({
        where: { id: BigInt(payload.operationId) },
        select: { summary: true },
      });
      const syncAttempt = Number((operation?.summary as { syncAttempt?: unknown } | null)?.syncAttempt ?? 1) || 1;
      const requeued = syncAttempt < policy.maxAttempts;
      await notifyAdmins({
        type: "SYNC_FAILURE",
        severity: "CRITICAL",
        shop: payload.shop,
        jobType: TASK.productSync,
        title: `Product sync of ${payload.shop} failed: export ${payload.operationId} could not be processed: ${messageOf(error)}`,
        data: {
          stage: "finish",
          operationId: payload.operationId,
          attempts: checkPolicy.maxAttempts,
          error: messageOf(error),
          syncRequeued: requeued,
        },
      });
      if (!requeued) return;
      const delay = retryDelayMs(policy, syncAttempt);
      await enqueue(
        TASK.productSync,
        {
          shop: payload.shop,
          reason: "follow-up",
          _retry: { attempt: syncAttempt + 1, lastError: messageOf(error) } satisfies RetryMeta,
        },
        { ...shopJobOptions(TASK.productSync, payload.shop), runAt: new Date(now() + delay) },
      );
    },
  });

  return { productSync, productExportCheck };
}

const tasks = createProductSyncTasks({ adminClientFor: (shop) => adminClientForShop(shop) });
export const productSync = tasks.productSync;
export const productExportCheck = tasks.productExportCheck;
