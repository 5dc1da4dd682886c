import { pgPool } from "~/db.server";
import {
  BULK_OPERATION_QUERY,
  BULK_OPERATION_RUN_QUERY,
  BULK_PRODUCT_EXPORT_QUERY,
  RUNNING_BULK_QUERIES,
  type BulkOperationNode,
  type BulkOperationStatus,
} from "~/shopify-admin/operations";
import { ShopifyUserError } from "~/shopify-admin/errors";
import { toGid } from "~/shopify-admin/gid";
import type { AdminGraphqlClient } from "./admin-client-port.server";

// The Shopify side of the daily export: start it (or adopt one already running), read its state, and keep our
// bulk_operation row in step. Nothing here waits for Shopify to build the file.

const ACTIVE: ReadonlySet<BulkOperationStatus> = new Set(["CREATED", "RUNNING", "CANCELING"]);
/** Shopify fails an operation that has not finished in 10 days; an older "running" row of ours is stale. */
const MAX_OPERATION_AGE_DAYS = 10;

export function bulkOperationNumericId(gidOrId: string): string {
  const match = /(\d+)$/.exec(gidOrId);
  if (!match) throw new Error(`Not a BulkOperation id: ${gidOrId}`);
  return match[1];
}

/**
 * Asks Shopify to run a bulk query (the daily product export, a full inventory read) and returns the operation's id
 * and first status; a refusal (userErrors: OPERATION_IN_PROGRESS, LIMIT_REACHED, ...) is a ShopifyUserError.
 */
export async function startBulkQuery(
  client: AdminGraphqlClient,
  shop: string,
  query: string,
): Promise<{ operationId: string; status: BulkOperationStatus }> {
  const result = await client.request(BULK_OPERATION_RUN_QUERY, { query });
  const payload = result.bulkOperationRunQuery;
  if (!payload?.bulkOperation || payload.userErrors.length > 0) {
    throw new ShopifyUserError(
      shop,
      "bulkOperationRunQuery",
      payload?.userErrors ?? [{ message: "no bulk operation returned" }],
    );
  }
  return { operationId: bulkOperationNumericId(payload.bulkOperation.id), status: payload.bulkOperation.status };
}

export function bulkOperationGid(id: string): string {
  return toGid("BulkOperation", id);
}

export function isActiveStatus(status: BulkOperationStatus): boolean {
  return ACTIVE.has(status);
}

function isProductExportQuery(query: string): boolean {
  const normalise = (q: string) => q.replace(/\s+/g, " ").trim();
  return normalise(query) === normalise(BULK_PRODUCT_EXPORT_QUERY) || /^\s*(query[^{]*)?\{\s*products\b/.test(query);
}

export interface StartedExport {
  operationId: string;
  adopted: boolean;
  status: BulkOperationStatus;
  startedAt: Date;
}

async function recordStartedOperation(
  shop: string,
  operationId: string,
  status: BulkOperationStatus,
  startedAt: Date,
  syncAttempt: number,
) {
  await pgPool().query(
    `INSERT INTO bulk_operation (id, shop, status, started_at, summary)
     VALUES ($1, $2, $3, $4, jsonb_build_object('syncAttempt', $5::integer))
     ON CONFLICT (id) DO UPDATE SET status = excluded.status,
       summary = coalesce(bulk_operation.summary, '{}'::jsonb) || jsonb_build_object('syncAttempt', $5::integer)`,
    [operationId, shop, status, startedAt, syncAttempt],
  );
}

/**
 * Starts the shop's product export, unless one is already under way: first one we recorded and have not handled
 * yet, then one Shopify is building that we lost track of (a crash between starting and recording).
 */
export async function startOrAdoptProductExport(
  client: AdminGraphqlClient,
  shop: string,
  syncAttempt: number,
): Promise<StartedExport> {
  // Ours and not yet handled: still building, or finished with its webhook not processed yet (the check ingests it).
  // Only an export: a full inventory read of the shop may be in flight beside it (its own kind and check).
  const known = await pgPool().query<{ id: string; started_at: Date }>(
    `SELECT id::text, started_at FROM bulk_operation
      WHERE shop = $1 AND kind = 'PRODUCT_EXPORT' AND ingested_at IS NULL AND error IS NULL
        AND started_at > now() - make_interval(days => $2)
      ORDER BY started_at DESC LIMIT 1`,
    [shop, MAX_OPERATION_AGE_DAYS],
  );
  if (known.rows.length > 0) {
    const operation = await fetchBulkOperation(client, known.rows[0].id);
    if (operation) {
      await recordOperationState(shop, operation);
      await recordStartedOperation(shop, known.rows[0].id, operation.status, known.rows[0].started_at, syncAttempt);
      return {
        operationId: known.rows[0].id,
        adopted: true,
        status: operation.status,
        startedAt: known.rows[0].started_at,
      };
    }
    await pgPool().query(
      "UPDATE bulk_operation SET error = 'Shopify does not know this bulk operation' WHERE id = $1",
      [known.rows[0].id],
    );
  }

  const running = await client.request(RUNNING_BULK_QUERIES, {});
  const ours = running.bulkOperations.nodes.find((op) => isActiveStatus(op.status) && isProductExportQuery(op.query));
  if (ours) {
    const operationId = bulkOperationNumericId(ours.id);
    const startedAt = new Date(ours.createdAt);
    await recordStartedOperation(shop, operationId, ours.status, startedAt, syncAttempt);
    return { operationId, adopted: true, status: ours.status, startedAt };
  }

  const { operationId, status } = await startBulkQuery(client, shop, BULK_PRODUCT_EXPORT_QUERY);
  const startedAt = new Date();
  await recordStartedOperation(shop, operationId, status, startedAt, syncAttempt);
  return { operationId, adopted: false, status, startedAt };
}

export async function fetchBulkOperation(
  client: AdminGraphqlClient,
  operationId: string,
): Promise<BulkOperationNode | null> {
  const result = await client.request(BULK_OPERATION_QUERY, { id: bulkOperationGid(operationId) });
  return result.bulkOperation;
}

/** Copies Shopify's view of the operation onto our row (status, URLs, counts, completion time). */
export async function recordOperationState(shop: string, operation: BulkOperationNode): Promise<void> {
  await pgPool().query(
    `INSERT INTO bulk_operation (id, shop, status, error_code, url, partial_data_url, object_count, root_object_count,
                                 file_size, started_at, completed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, error_code = excluded.error_code, url = excluded.url,
       partial_data_url = excluded.partial_data_url, object_count = excluded.object_count,
       root_object_count = excluded.root_object_count, file_size = excluded.file_size,
       completed_at = excluded.completed_at`,
    [
      bulkOperationNumericId(operation.id),
      shop,
      operation.status,
      operation.errorCode,
      operation.url,
      operation.partialDataUrl,
      operation.objectCount,
      operation.rootObjectCount,
      operation.fileSize,
      new Date(operation.createdAt),
      operation.completedAt ? new Date(operation.completedAt) : null,
    ],
  );
}

export interface RecordedOperation {
  id: string;
  shop: string;
  status: BulkOperationStatus;
  startedAt: Date;
  ingestedAt: Date | null;
  syncAttempt: number;
}

/** Our product export of that id; null for any other (another app's, a bulk mutation, an inventory read). */
export async function findRecordedOperation(shop: string, operationId: string): Promise<RecordedOperation | null> {
  const { rows } = await pgPool().query<{
    id: string;
    shop: string;
    status: BulkOperationStatus;
    started_at: Date;
    ingested_at: Date | null;
    attempt: number | null;
  }>(
    `SELECT id::text, shop, status, started_at, ingested_at, (summary->>'syncAttempt')::integer AS attempt
       FROM bulk_operation WHERE id = $1 AND shop = $2 AND kind = 'PRODUCT_EXPORT'`,
    [operationId, shop],
  );
  if (rows.length === 0) return null;
  const row = rows[0];
  return {
    id: row.id,
    shop: row.shop,
    status: row.status,
    startedAt: row.started_at,
    ingestedAt: row.ingested_at,
    syncAttempt: row.attempt ?? 1,
  };
}
