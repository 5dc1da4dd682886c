import type pg from "pg";
import { z } from "zod";
import { pgPool, withTransaction } from "~/db.server";
import { enqueue } from "~/jobs/queue.server";
import { TASK } from "~/jobs/task-names";
import type { Queryable } from "~/lib/queryable.server";
import { numericIdOf } from "~/shopify-admin/gid";
import { bulkInventoryReadQuery, type BulkOperationStatus, type InventoryLevelNode } from "~/shopify-admin/operations";
import type { AdminGraphqlClient } from "~/sync/admin-client-port.server";
import {
  fetchResultFile,
  ResultFileUnavailableError,
  type ResultFileOpener,
} from "~/sync/finish-product-export.server";
import { readJsonlLines, type ByteSource } from "~/sync/jsonl-reader";
import {
  fetchBulkOperation,
  isActiveStatus,
  recordOperationState,
  startBulkQuery,
} from "~/sync/product-export-operation.server";
import {
  batchedApply,
  INVENTORY_APPLY_BATCH_SIZE,
  recomputeVariants,
  removeLevelsAbsentFromRead,
} from "./apply-inventory-levels.server";
import { levelFromNode } from "./inventory-level";
import { inventoryReadCheckJob, type InventoryReadCheckPayload } from "./inventory-read-payloads.server";
import type { InventorySyncResult } from "./sync-inventory.server";

// A full read of a shop's levels at the marketplace's locations through a bulk operation (bulkInventoryReadQuery):
// Shopify builds the file without charging the shop's rate limit, where the paged read costs 3 points a level (a
// STANDARD shop's 25,000 levels: ~12 minutes of its whole bucket). Like the product export, nothing here waits for
// Shopify: the sync starts the operation and queues a check (app/worker/tasks/inventory-read-check.server.ts); the
// bulk_operations/finish webhook or the check's polls find it finished and apply the file.
//
// The file is applied like a paged full read (apply-inventory-levels: the same set-based statements, the same
// out-of-order guard, tracked kept, unknown items stored), then each location's stored levels the file did not
// list are gone. All of it, the "last inventory sync" and the operation's row marked handled in one transaction: an
// export that FAILED (partial data included), an unreadable or expired URL, a malformed or short file, or a location
// missing from it changes nothing stored and is a failure with its reason, retried by the sync's policy.

/** Shopify fails an operation that has not finished in 10 days; an older "running" read of ours is not waited for. */
const MAX_OPERATION_AGE_DAYS = 10;

export type InventoryReadMode = "full" | "reconcile";

/** What the run that started the read knew, kept on the operation's row for the check that finishes it. */
export interface InventoryReadPlan {
  mode: InventoryReadMode;
  /** The locations read: the connection's marketplace locations, or its primary location when none is assigned. */
  locationIds: string[];
  /** The connection's marketplace_location_ids when the read began: a change since then means another full read. */
  assignedLocationIds: string[];
  /** When the run began (our clock): the next incremental read starts from it, and removals are dated by it. */
  runStartedAt: string;
  syncAttempt: number;
}

export interface RecordedInventoryRead extends InventoryReadPlan {
  operationId: string;
  shop: string;
}

const planSchema = z.object({
  mode: z.enum(["full", "reconcile"]),
  locationIds: z.array(z.string().regex(/^\d+$/)).min(1),
  assignedLocationIds: z.array(z.string().regex(/^\d+$/)),
  runStartedAt: z.string().datetime({ offset: true }),
  syncAttempt: z.number().int().min(1),
});

export interface StartedInventoryRead {
  operationId: string;
  /** A read of the same locations was already under way: no second one was started. */
  alreadyRunning: boolean;
}

/** Queues a check of the read (on `on`: the finish webhook's receipt transaction). */
export function queueInventoryReadCheck(
  payload: InventoryReadCheckPayload,
  options: { runAt?: Date; on?: Queryable } = {},
) {
  return enqueue(TASK.inventoryReadCheck, payload, {
    ...inventoryReadCheckJob(payload.shop, payload.operationId),
    ...options,
  });
}

/**
 * Starts the bulk read and queues its first check. A full read of the same locations already in flight is left
 * to finish instead (the hourly run of a shop whose read takes longer than the hour); the daily reconciliation
 * always starts its own, so what it corrects is what Shopify said after it was queued.
 */
export async function startInventoryRead(
  client: AdminGraphqlClient,
  shop: string,
  plan: InventoryReadPlan,
  firstCheckDelayMs: number,
  now: () => Date,
): Promise<StartedInventoryRead> {
  if (plan.mode === "full") {
    const { rows } = await pgPool().query<{ id: string }>(
      `SELECT id::text FROM bulk_operation
        WHERE shop = $1 AND kind = 'INVENTORY_READ' AND ingested_at IS NULL AND error IS NULL
          AND status IN ('CREATED', 'RUNNING', 'COMPLETED')
          AND started_at > now() - make_interval(days => $2)
          AND summary->'locationIds' = $3::jsonb
        ORDER BY started_at DESC LIMIT 1`,
      [shop, MAX_OPERATION_AGE_DAYS, JSON.stringify(plan.locationIds)],
    );
    if (rows.length > 0) return { operationId: rows[0].id, alreadyRunning: true };
  }

  const { operationId, status } = await startBulkQuery(
    client,
    shop,
    bulkInventoryReadQuery(plan.locationIds.map(BigInt)),
  );
  await pgPool().query(
    `INSERT INTO bulk_operation (id, shop, kind, status, started_at, summary)
     VALUES ($1, $2, 'INVENTORY_READ', $3, $4, $5::jsonb)`,
    [operationId, shop, status, new Date(plan.runStartedAt), JSON.stringify(plan)],
  );
  await queueInventoryReadCheck(
    { shop, operationId, trigger: "poll", poll: 0 },
    { runAt: new Date(now().getTime() + firstCheckDelayMs) },
  );
  return { operationId, alreadyRunning: false };
}

/** Our inventory read of that id; null for any other operation (a product export, another app's). */
export async function findInventoryRead(shop: string, operationId: string): Promise<RecordedInventoryRead | null> {
  const { rows } = await pgPool().query<{ id: string; summary: unknown }>(
    `SELECT id::text, summary FROM bulk_operation WHERE id = $1 AND shop = $2 AND kind = 'INVENTORY_READ'`,
    [operationId, shop],
  );
  if (rows.length === 0) return null;
  const plan = planSchema.parse(rows[0].summary);
  return { ...plan, operationId: rows[0].id, shop };
}

/** What applying a read's file did: the paged read's own counters, and the lines the file held. */
export type InventoryReadApplied = Pick<
  InventorySyncResult,
  "levels" | "changed" | "removed" | "stale" | "notSelected" | "unknown" | "unknownSampleInventoryItemIds"
> & { linesRead: number };

export type InventoryReadOutcome =
  | { kind: "pending"; status: BulkOperationStatus }
  | { kind: "unknown-operation" }
  | { kind: "already-handled" }
  | { kind: "applied"; read: RecordedInventoryRead; applied: InventoryReadApplied }
  | { kind: "failed"; read: RecordedInventoryRead; retryable: boolean; reason: string; errorCode: string | null };

/** The file is not what the query asks for: nothing of it is applied. */
export class InventoryReadFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InventoryReadFileError";
  }
}

// A level line: the fields of bulkInventoryReadQuery, with its location as __parentId.
const levelLine = z.object({
  id: z.string(),
  updatedAt: z.string().datetime({ offset: true }),
  quantities: z.array(z.object({ name: z.string(), quantity: z.number().int() })),
  item: z.object({ id: z.string().regex(/\/InventoryItem\/\d+$/), tracked: z.boolean() }),
  __parentId: z.string().regex(/\/Location\/\d+$/),
});
const locationLine = z.object({ id: z.string().regex(/\/Location\/\d+$/) });

export interface FinishInventoryReadOptions {
  client: AdminGraphqlClient;
  shop: string;
  operationId: string;
  openResultFile?: ResultFileOpener;
  now?: () => Date;
  /** Levels per apply (default INVENTORY_APPLY_BATCH_SIZE); tests make it small to see a failure after some batches. */
  applyBatchSize?: number;
}

async function markFailed(operationId: string, reason: string): Promise<void> {
  await pgPool().query("UPDATE bulk_operation SET error = $2 WHERE id = $1 AND ingested_at IS NULL", [
    operationId,
    reason,
  ]);
}

function isHandled(operationId: string): Promise<boolean> {
  return pgPool()
    .query("SELECT 1 FROM bulk_operation WHERE id = $1 AND (ingested_at IS NOT NULL OR error IS NOT NULL)", [
      operationId,
    ])
    .then((r) => (r.rowCount ?? 0) > 0);
}

export async function finishInventoryRead(options: FinishInventoryReadOptions): Promise<InventoryReadOutcome> {
  const now = options.now ?? (() => new Date());
  const read = await findInventoryRead(options.shop, options.operationId);
  if (!read) return { kind: "unknown-operation" };
  if (await isHandled(options.operationId)) return { kind: "already-handled" };

  const failed = async (retryable: boolean, reason: string, errorCode: string | null = null) => {
    await markFailed(options.operationId, reason);
    return { kind: "failed" as const, read, retryable, reason, errorCode };
  };

  const operation = await fetchBulkOperation(options.client, options.operationId);
  if (!operation) return failed(true, "Shopify does not know this bulk operation");
  await recordOperationState(options.shop, operation);
  if (isActiveStatus(operation.status)) return { kind: "pending", status: operation.status };

  if (operation.status !== "COMPLETED") {
    // A FAILED read's partialDataUrl is not applied: a level missing from part of a file is not gone.
    const reason =
      operation.status === "FAILED"
        ? `Bulk inventory read FAILED with ${operation.errorCode ?? "no error code"}${operation.partialDataUrl ? " (its partial data is not applied)" : ""}`
        : `Bulk inventory read ${operation.status}`;
    // ACCESS_DENIED: a scope is missing; another read gets the same answer.
    return failed(operation.errorCode !== "ACCESS_DENIED", reason, operation.errorCode);
  }
  if (operation.url === null && operation.objectCount !== "0") {
    return failed(true, `COMPLETED with ${operation.objectCount} objects but no URL`);
  }

  let source: ByteSource;
  try {
    // A null URL: nothing matched, not even the locations (reported below as missing).
    source =
      operation.url === null
        ? (async function* () {})()
        : await (options.openResultFile ?? fetchResultFile)(operation.url);
  } catch (error) {
    if (error instanceof ResultFileUnavailableError) return failed(true, error.message);
    throw error;
  }
  try {
    const applied = await withTransaction((tx) =>
      applyReadFile(
        tx,
        read,
        source,
        Number(operation.objectCount),
        options.operationId,
        now,
        options.applyBatchSize ?? INVENTORY_APPLY_BATCH_SIZE,
      ),
    );
    return { kind: "applied", read, applied };
  } catch (error) {
    if (error instanceof InventoryReadFileError || error instanceof ResultFileUnavailableError) {
      return failed(true, error.message);
    }
    throw error;
  }
}

async function applyReadFile(
  tx: pg.PoolClient,
  read: RecordedInventoryRead,
  source: ByteSource,
  expectedLines: number,
  operationId: string,
  now: () => Date,
  batchSize: number,
): Promise<InventoryReadApplied> {
  const shop = read.shop;
  const wanted = new Set(read.locationIds);
  const locationsSeen = new Set<string>();
  const seen = new Map<string, bigint[]>(read.locationIds.map((id) => [id, []]));
  const totals: InventoryReadApplied = {
    levels: 0,
    changed: 0,
    removed: 0,
    stale: 0,
    notSelected: 0,
    unknown: 0,
    unknownSampleInventoryItemIds: [],
    linesRead: 0,
  };
  const gathered = batchedApply(tx, shop, totals, batchSize);

  // In 2026-01 the lines come in no promised order (groupObjects: false): a level names its location itself.
  for await (const line of readJsonlLines(source)) {
    totals.linesRead++;
    if (line.text === null) throw new InventoryReadFileError(`line ${line.lineNumber} of the read: ${line.error}`);
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch {
      throw new InventoryReadFileError(`line ${line.lineNumber} of the read is not JSON`);
    }
    if (typeof value === "object" && value !== null && "__parentId" in value) {
      const parsed = levelLine.safeParse(value);
      if (!parsed.success) {
        throw new InventoryReadFileError(
          `line ${line.lineNumber} of the read is not an inventory level: ${parsed.error.issues[0].message}`,
        );
      }
      const locationId = numericIdOf(parsed.data.__parentId, "Location").toString();
      if (!wanted.has(locationId)) continue;
      const level = levelFromNode(parsed.data as InventoryLevelNode, BigInt(locationId), now());
      if (!level) continue;
      seen.get(locationId)!.push(level.inventoryItemId);
      await gathered.add([level]);
    } else {
      const parsed = locationLine.safeParse(value);
      if (!parsed.success) throw new InventoryReadFileError(`line ${line.lineNumber} of the read is not a location`);
      locationsSeen.add(numericIdOf(parsed.data.id, "Location").toString());
    }
  }
  await gathered.flush();
  // A download cut short ends like a complete file: Shopify's objectCount says how many lines there are.
  if (totals.linesRead < expectedLines) {
    throw new InventoryReadFileError(`download truncated: read ${totals.linesRead} lines of ${expectedLines} objects`);
  }
  for (const locationId of read.locationIds) {
    if (!locationsSeen.has(locationId)) {
      throw new InventoryReadFileError(`Location ${locationId} of ${shop} does not exist in Shopify`);
    }
  }

  // A full read lists every item stocked at the location: a stored level it did not return is gone. Dated by when
  // the run began: a level Shopify changed after that is left for the next read, as in the paged read.
  const readStartedAt = new Date(read.runStartedAt);
  const removedItems: Array<{ inventoryItemId: bigint }> = [];
  for (const locationId of read.locationIds) {
    const removed = await removeLevelsAbsentFromRead(
      tx,
      shop,
      BigInt(locationId),
      seen.get(locationId)!,
      readStartedAt,
    );
    totals.removed += removed.length;
    for (const inventoryItemId of removed) removedItems.push({ inventoryItemId });
  }
  totals.changed += (await recomputeVariants(tx, shop, removedItems)).changed;

  await recordReadFinished(tx, read, operationId, totals);
  return totals;
}

// The next incremental run starts from when this read's run began, unless the marketplace's locations changed since
// (that change asked for a full read of the new set: marketplace-locations.server.ts).
async function recordReadFinished(
  db: Queryable,
  read: RecordedInventoryRead,
  operationId: string,
  totals: InventoryReadApplied,
): Promise<void> {
  await db.query(
    `UPDATE merchant_connection SET last_inventory_sync_at = $2, updated_at = now()
      WHERE shop = $1 AND (last_inventory_sync_at IS NULL OR last_inventory_sync_at < $2)
        AND marketplace_location_ids = $3::bigint[]`,
    [read.shop, new Date(read.runStartedAt), read.assignedLocationIds],
  );
  await db.query(
    `UPDATE bulk_operation SET ingested_at = now(), summary = coalesce(summary, '{}'::jsonb) || $2::jsonb WHERE id = $1`,
    [operationId, JSON.stringify({ applied: totals })],
  );
}
