import { pgPool } from "~/db.server";
import type { BulkOperationNode } from "~/shopify-admin/operations";
import type { AdminGraphqlClient } from "./admin-client-port.server";
import { ingestBulkExport, type IngestSummary } from "./bulk-export-ingest.server";
import type { ByteSource } from "./jsonl-reader";
import {
  fetchBulkOperation,
  findRecordedOperation,
  isActiveStatus,
  recordOperationState,
  type RecordedOperation,
} from "./product-export-operation.server";

// What happens once Shopify says an export finished (the bulk_operations/finish webhook, or a poll): read the
// operation's final state, ingest its file, and say what the outcome was. Every end state has one defined outcome:
//
// | Shopify says                        | we do                                                  | outcome            |
// |-------------------------------------|--------------------------------------------------------|--------------------|
// | COMPLETED, url                      | stream-ingest the file as a complete export            | ingested, complete |
// | COMPLETED, url null, 0 objects      | a complete export of an empty shop: soft-delete all    | ingested, complete |
// | COMPLETED, url unreadable (expired) | nothing written                                        | failed, retryable  |
// | FAILED with partialDataUrl          | ingest the partial file, delete nothing                | failed + partial   |
// | FAILED ACCESS_DENIED                | (partial data if any)                                  | failed, permanent  |
// | FAILED TIMEOUT / INTERNAL_SERVER_ERROR, CANCELED, EXPIRED | (partial data if any)            | failed, retryable  |
//
// Why an empty COMPLETED export deletes everything: Shopify returns a null URL exactly when the query matched no
// object, i.e. the shop has no products. Keeping them listed would sell products that no longer exist; the
// deletion is soft, so the next export that has them restores them. (A wrong empty answer would need Shopify to
// report COMPLETED for a query that saw nothing, which an ACCESS_DENIED or scope problem does not do: it FAILS.)

export type ResultFileOpener = (url: string) => Promise<ByteSource>;

export class ResultFileUnavailableError extends Error {
  constructor(
    readonly status: number | null,
    detail: string,
  ) {
    super(`The export file could not be downloaded${status === null ? "" : ` (HTTP ${status})`}: ${detail}`);
    this.name = "ResultFileUnavailableError";
  }
}

/** Streams the file behind a result URL (Shopify's signed storage link). 403/404/410 mean it expired. */
export const fetchResultFile: ResultFileOpener = async (url) => {
  const response = await fetch(url).catch((error: Error) => {
    throw new ResultFileUnavailableError(null, error.message);
  });
  if (!response.ok || !response.body) {
    const detail = (await response.text().catch(() => "")).slice(0, 200);
    throw new ResultFileUnavailableError(response.status, detail || response.statusText);
  }
  return bodyOf(response);
};

// The generator keeps the Response reachable while its body is read: undici cancels the body of a Response that
// is garbage-collected, and the stream then simply ends (measured: a 33 MB export read as 0 bytes when only
// `response.body` was kept and the ingest took a moment before reading).
async function* bodyOf(response: Response): AsyncGenerator<Uint8Array> {
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) yield chunk;
}

export type ExportOutcome =
  | { kind: "pending"; status: string }
  | { kind: "unknown-operation" }
  | { kind: "already-handled" }
  | { kind: "ingested"; operation: RecordedOperation; summary: IngestSummary; emptyExport: boolean }
  | {
      kind: "failed";
      operation: RecordedOperation;
      retryable: boolean;
      reason: string;
      errorCode: string | null;
      /** What the partial data of a FAILED export wrote, if it had any. */
      partial: IngestSummary | null;
    };

export interface FinishOptions {
  client: AdminGraphqlClient;
  shop: string;
  operationId: string;
  openResultFile?: ResultFileOpener;
  productBatchSize?: number;
}

async function markHandled(operationId: string, summary: IngestSummary | null, error: string | null): Promise<void> {
  await pgPool().query(
    `UPDATE bulk_operation
        SET ingested_at = CASE WHEN $2::jsonb IS NULL THEN ingested_at ELSE now() END,
            summary = coalesce(summary, '{}'::jsonb) || coalesce($2::jsonb, '{}'::jsonb),
            error = $3
      WHERE id = $1`,
    [operationId, summary === null ? null : JSON.stringify(summary), error],
  );
}

function isHandled(operationId: string): Promise<boolean> {
  return pgPool()
    .query("SELECT 1 FROM bulk_operation WHERE id = $1 AND (ingested_at IS NOT NULL OR error IS NOT NULL)", [
      operationId,
    ])
    .then((r) => (r.rowCount ?? 0) > 0);
}

async function ingestFrom(
  options: FinishOptions,
  operation: BulkOperationNode,
  url: string | null,
  complete: boolean,
): Promise<IngestSummary> {
  const openResultFile = options.openResultFile ?? fetchResultFile;
  // A null URL (no objects) is an empty file.
  const source: ByteSource = url === null ? (async function* () {})() : await openResultFile(url);
  return ingestBulkExport({
    shop: options.shop,
    source,
    complete,
    expectedLines: Number(operation.objectCount),
    snapshotStartedAt: new Date(operation.createdAt),
    productBatchSize: options.productBatchSize,
    // For the pages that show a long sync while it runs (app/sync/product-sync-progress.server.ts).
    onProgress: ({ stage, linesRead }) =>
      pgPool()
        .query("UPDATE bulk_operation SET ingest_stage = $2, lines_read = $3, progress_at = now() WHERE id = $1", [
          options.operationId,
          stage,
          linesRead,
        ])
        .then(() => undefined),
  });
}

export async function finishProductExport(options: FinishOptions): Promise<ExportOutcome> {
  const recorded = await findRecordedOperation(options.shop, options.operationId);
  if (!recorded) return { kind: "unknown-operation" };
  if (await isHandled(options.operationId)) return { kind: "already-handled" };

  const operation = await fetchBulkOperation(options.client, options.operationId);
  if (!operation) {
    await markHandled(options.operationId, null, "Shopify does not know this bulk operation");
    return {
      kind: "failed",
      operation: recorded,
      retryable: true,
      reason: "Shopify does not know this bulk operation",
      errorCode: null,
      partial: null,
    };
  }
  await recordOperationState(options.shop, operation);
  if (isActiveStatus(operation.status)) return { kind: "pending", status: operation.status };

  const failed = async (retryable: boolean, reason: string, partial: IngestSummary | null): Promise<ExportOutcome> => {
    await markHandled(options.operationId, partial, reason);
    return { kind: "failed", operation: recorded, retryable, reason, errorCode: operation.errorCode, partial };
  };

  if (operation.status === "COMPLETED") {
    if (operation.url === null && operation.objectCount !== "0") {
      return failed(true, `COMPLETED with ${operation.objectCount} objects but no URL`, null);
    }
    try {
      const summary = await ingestFrom(options, operation, operation.url, true);
      if (summary.truncated) {
        return failed(
          true,
          `download truncated: read ${summary.linesRead} lines of ${operation.objectCount} objects`,
          summary,
        );
      }
      await markHandled(options.operationId, summary, null);
      return { kind: "ingested", operation: recorded, summary, emptyExport: operation.url === null };
    } catch (error) {
      if (error instanceof ResultFileUnavailableError) return failed(true, error.message, null);
      throw error;
    }
  }

  // FAILED, CANCELED or EXPIRED: keep what partial data there is, delete nothing.
  let partial: IngestSummary | null = null;
  let partialProblem = "";
  if (operation.status === "FAILED" && operation.partialDataUrl) {
    try {
      partial = await ingestFrom(options, operation, operation.partialDataUrl, false);
    } catch (error) {
      if (!(error instanceof ResultFileUnavailableError)) throw error;
      partialProblem = `; partial data unreadable: ${error.message}`;
    }
  }
  const reason =
    operation.status === "FAILED"
      ? `Bulk export FAILED with ${operation.errorCode ?? "no error code"}${partialProblem}`
      : `Bulk export ${operation.status}`;
  // ACCESS_DENIED: the app lacks a scope or the shop forbids it; another export gets the same answer.
  return failed(operation.errorCode !== "ACCESS_DENIED", reason, partial);
}
