import type pg from "pg";
import { DATABASE_TIMEOUTS } from "~/database/timeouts.server";
import { pgPool } from "~/db.server";
import { parseBulkExportLine } from "./bulk-export-line";
import { exportLineHash } from "./export-line-hash";
import { mergeBatch, softDeleteAbsent, type MergeContext } from "./bulk-export-merge.server";
import {
  copyRawRows,
  createRawStagingTable,
  dropStagingTables,
  forgetUnmatchedKnownLines,
  prepareStagedLines,
  rawRowOf,
  readKnownLines,
} from "./bulk-export-staging.server";
import { ExportNumbering, idKey } from "./export-numbering";
import { readJsonlLineBatches, type ByteSource } from "./jsonl-reader";

// Ingests one bulk product export (or a partial one) into a shop's products and variants: stream the file's changed
// lines, numbered by product, into staging with COPY (memory stays flat whatever the file's size: what is held is an
// entry per product and per known row, not the lines), then merge batches of products with their variants,
// one transaction each, then (complete exports only) soft-delete what the export no longer contains.
// Idempotent: the same file twice leaves the same rows (the second run writes nothing). A crash at any point
// leaves whole products only, and a retry of the same file finishes the job.

export const DEFAULT_PRODUCT_BATCH_SIZE = 5_000;
/** The summary keeps this many malformed lines verbatim; the count covers all of them. */
const MALFORMED_LINES_KEPT = 100;

export class UnknownShopError extends Error {
  constructor(readonly shop: string) {
    super(`No merchant connection for shop ${shop}`);
    this.name = "UnknownShopError";
  }
}

export interface IngestOptions {
  shop: string;
  source: ByteSource;
  /**
   * True when the file is the whole catalogue (a COMPLETED export): products and variants it lacks are
   * soft-deleted. False for partial data (a FAILED export's partialDataUrl): nothing is deleted.
   */
  complete: boolean;
  /**
   * How many lines (objects) Shopify says the file has. Fewer read means the download was cut short: the
   * summary says `truncated` and nothing is soft-deleted, whatever `complete` says.
   */
  expectedLines?: number;
  /** When Shopify began the export: changes the app received after it are newer than the file. */
  snapshotStartedAt?: Date | null;
  productBatchSize?: number;
  now?: () => Date;
  /** Told the stage and the lines read so far: during the import at most once a second, then once before merging. */
  onProgress?: (progress: IngestProgress) => void | Promise<void>;
  /** Test seam: runs after each batch commits (a test throws here to simulate a crash mid-ingest). */
  afterBatchCommitted?: (batchNumber: number) => void | Promise<void>;
  pool?: pg.Pool;
}

export interface IngestProgress {
  stage: "IMPORTING" | "MERGING";
  linesRead: number;
}

const PROGRESS_EVERY_MS = 1000;

export interface IngestSummary {
  shop: string;
  complete: boolean;
  linesRead: number;
  productLines: number;
  variantLines: number;
  productsStaged: number;
  variantsStaged: number;
  /** Rows inserted or changed; unchanged rows are not rewritten and not counted. */
  productsWritten: number;
  variantsWritten: number;
  productsDeleted: number;
  variantsDeleted: number;
  /** Product and variant lines the shop's rows were last merged from (same hash): not staged, compared or merged. */
  unchangedLines: number;
  orphanVariants: number;
  skippedByType: Record<string, number>;
  malformedCount: number;
  malformedLines: { line: number; error: string }[];
  /** Fewer lines were read than expectedLines. */
  truncated: boolean;
  /** Why absent products were not soft-deleted although the export claimed to be complete, if so. */
  deletionsSkippedReason: string | null;
  batches: number;
  durationMs: number;
  /** Where the time went: reading + COPY into staging, dedupe/indexing, merges, deletions. */
  timingsMs: { staging: number; prepare: number; merge: number; deletions: number };
}

interface ReadTally {
  linesRead: number;
  productLines: number;
  variantLines: number;
  skippedByType: Record<string, number>;
  malformedCount: number;
  malformedLines: { line: number; error: string }[];
  /** Damaged lines that named no object: a complete export with one of these cannot say what is absent. */
  unidentifiedMalformed: number;
  /** Product and variant lines whose hash a row already held: neither parsed nor staged. */
  unchangedLines: number;
  /** Of those, variant lines (each known row once). */
  unchangedVariants: number;
}

/** What the read left of the shop's known lines: the hashes the file matched, for the deletions. */
interface KnownLines {
  /** Hash of a row's line to its signed id (a product's id, a variant's negated); matched ones are moved out. */
  unmatched: Map<number, number>;
  matched: number[];
}

const STAGING_CHUNK_CHARS = 256 * 1024;

/** CSV for COPY, in chunks of ~256 KB or more (the rows of whole source chunks; one await per chunk, not per line). */
async function* stagedRows(
  source: ByteSource,
  tally: ReadTally,
  known: KnownLines,
  numbering: ExportNumbering,
  onProgress?: (progress: IngestProgress) => void | Promise<void>,
): AsyncGenerator<string> {
  let chunk = "";
  let reportedAt = Date.now();
  for await (const lines of readJsonlLineBatches(source)) {
    for (const line of lines) {
      tally.linesRead++;
      // An unchanged line is recognised by its text alone (the hash covers its id): not parsed, not staged. Unless a
      // changed line of the same object came earlier; then this later one must win, so it is staged like any other.
      const hash = line.text === null ? null : exportLineHash(line.text);
      const signedId = hash === null ? undefined : known.unmatched.get(hash);
      if (
        hash !== null &&
        signedId !== undefined &&
        (signedId > 0 ? numbering.unchangedProduct(signedId) : numbering.unchangedVariant(-signedId))
      ) {
        known.unmatched.delete(hash);
        known.matched.push(hash);
        tally.unchangedLines++;
        if (signedId > 0) tally.productLines++;
        else {
          tally.variantLines++;
          tally.unchangedVariants++;
        }
        continue;
      }
      const parsed =
        line.text === null ? { kind: "malformed" as const, error: line.error } : parseBulkExportLine(line.text);
      let ord: number | null = null;
      switch (parsed.kind) {
        case "product":
          tally.productLines++;
          ord = numbering.productLine(idKey(parsed.id));
          break;
        case "variant":
          tally.variantLines++;
          ord = numbering.variantLine(idKey(parsed.id), idKey(parsed.productId));
          break;
        case "skipped":
          tally.skippedByType[parsed.type] = (tally.skippedByType[parsed.type] ?? 0) + 1;
          break;
        case "malformed":
          tally.malformedCount++;
          if (tally.malformedLines.length < MALFORMED_LINES_KEPT) {
            tally.malformedLines.push({ line: line.lineNumber, error: parsed.error });
          }
          if (!("productId" in parsed && parsed.productId) && !("variantId" in parsed && parsed.variantId)) {
            tally.unidentifiedMalformed++;
          }
          break;
      }
      const row = rawRowOf(line.lineNumber, parsed, ord, ord === null ? null : hash);
      if (row !== null) chunk += row;
    }
    if (chunk.length >= STAGING_CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
    // Checked per source chunk, not per CSV chunk: an unchanged file stages nothing, yet takes a while to read.
    if (onProgress && Date.now() - reportedAt >= PROGRESS_EVERY_MS) {
      reportedAt = Date.now();
      await onProgress({ stage: "IMPORTING", linesRead: tally.linesRead });
    }
  }
  if (chunk.length > 0) yield chunk;
}

async function inTransaction<T>(client: pg.PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    const result = await work();
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

export async function ingestBulkExport(options: IngestOptions): Promise<IngestSummary> {
  const started = Date.now();
  const now = (options.now ?? (() => new Date()))();
  const batchSize = options.productBatchSize ?? DEFAULT_PRODUCT_BATCH_SIZE;
  const pool = options.pool ?? pgPool();
  const client = await pool.connect();
  try {
    // Staging lives in temporary tables, which use the session's own buffers (temp_buffers, 8 MB by default) and
    // sorts (work_mem, 4 MB): with the defaults a 100k-product export spills to disk at every step. temp_buffers
    // can only be set before the session touches a temporary table, hence a fresh connection, discarded at the end.
    await client.query("SET work_mem = '64MB'");
    // The longest statements of the app (a batch's merge, the deletions over a whole catalogue): their own limits.
    await client.query(
      `SELECT set_config('statement_timeout', $1, false), set_config('idle_in_transaction_session_timeout', $2, false)`,
      [
        String(DATABASE_TIMEOUTS.ingest.statementTimeoutMs),
        String(DATABASE_TIMEOUTS.ingest.idleInTransactionTimeoutMs),
      ],
    );
    await client.query("SET temp_buffers = '192MB'").catch(() => undefined); // too late on a used session: fine

    const connection = await client.query<{ selection_mode: string }>(
      "SELECT selection_mode FROM merchant_connection WHERE shop = $1",
      [options.shop],
    );
    if (connection.rowCount === 0) throw new UnknownShopError(options.shop);

    // One ingest per shop at a time (the finish webhook and the polling fallback may both get here): a second
    // one waits, then finds everything already written.
    await client.query("SELECT pg_advisory_lock(hashtext('product-ingest'), hashtext($1))", [options.shop]);
    try {
      const tally: ReadTally = {
        linesRead: 0,
        productLines: 0,
        variantLines: 0,
        skippedByType: {},
        malformedCount: 0,
        malformedLines: [],
        unidentifiedMalformed: 0,
        unchangedLines: 0,
        unchangedVariants: 0,
      };
      let mark = Date.now();
      const lap = () => {
        const elapsed = Date.now() - mark;
        mark = Date.now();
        return elapsed;
      };
      const listsAllProducts = connection.rows[0].selection_mode === "ALL";
      await createRawStagingTable(client);
      await options.onProgress?.({ stage: "IMPORTING", linesRead: 0 });
      const known: KnownLines = {
        unmatched: await readKnownLines(client, options.shop, listsAllProducts),
        matched: [],
      };
      const numbering = new ExportNumbering();
      await copyRawRows(client, stagedRows(options.source, tally, known, numbering, options.onProgress));
      const stagingMs = lap();
      const truncated = options.expectedLines !== undefined && tally.linesRead < options.expectedLines;
      const deletionsSkippedReason = !options.complete
        ? null
        : truncated
          ? `read ${tally.linesRead} lines of an export of ${options.expectedLines} objects`
          : tally.unidentifiedMalformed > 0
            ? `${tally.unidentifiedMalformed} malformed line(s) named no product or variant, so what is absent is unknown`
            : null;
      const deleteAbsent = options.complete && deletionsSkippedReason === null;
      // A first import (no live row of the shop yet) has nothing the export could lack: everything it writes is in
      // the file. Skipping the deletions spares what they need: the tables of ids seen, a refresh of the statistics
      // and two scans of the catalogue.
      const anythingToDelete =
        deleteAbsent &&
        (
          await client.query<{ live: boolean }>(
            `SELECT EXISTS (SELECT 1 FROM product WHERE shop = $1 AND deleted_at IS NULL)
                 OR EXISTS (SELECT 1 FROM product_variant WHERE shop = $1 AND deleted_at IS NULL) AS live`,
            [options.shop],
          )
        ).rows[0].live;

      // known_line keeps only what the file matched: rows the deletions must keep, variants not to count twice.
      await forgetUnmatchedKnownLines(client, known.unmatched.keys(), known.matched, {
        unmatched: known.unmatched.size,
        matched: known.matched.length,
      });
      const staged = await prepareStagedLines(client, {
        duplicates: numbering.duplicates,
        orphanOrds: numbering.orphanOrds(),
        countBothWays: tally.unchangedVariants > 0,
      });
      known.unmatched.clear();
      const prepareMs = lap();

      const context: MergeContext = {
        shop: options.shop,
        listsAllProducts,
        now,
        snapshotStartedAt: options.snapshotStartedAt ?? null,
      };

      await options.onProgress?.({ stage: "MERGING", linesRead: tally.linesRead });
      let productsWritten = 0;
      let variantsWritten = 0;
      let variantsDeleted = 0;
      let batches = 0;
      for (let first = 1; first <= numbering.lastOrd; first += batchSize) {
        const result = await inTransaction(client, () => mergeBatch(client, context, first, first + batchSize - 1));
        productsWritten += result.productsWritten;
        variantsWritten += result.variantsWritten;
        batches++;
        await options.afterBatchCommitted?.(batches);
      }

      const mergeMs = lap();
      let productsDeleted = 0;
      if (anythingToDelete) {
        // After a large first load the planner's statistics still say "empty table"; the deletions join against
        // the whole shop, so refresh them (sampled: a fraction of a second).
        if (productsWritten + variantsWritten > 10_000) await client.query("ANALYZE product, product_variant");
        const deleted = await inTransaction(client, () => softDeleteAbsent(client, context));
        productsDeleted = deleted.productsDeleted;
        variantsDeleted = deleted.variantsDeleted;
      }

      const deletionsMs = lap();
      await dropStagingTables(client);
      return {
        shop: options.shop,
        complete: options.complete,
        truncated,
        linesRead: tally.linesRead,
        productLines: tally.productLines,
        variantLines: tally.variantLines,
        productsStaged: numbering.productsWithLine,
        variantsStaged: staged.variants + tally.unchangedVariants - staged.variantsBothWays,
        productsWritten,
        variantsWritten,
        productsDeleted,
        variantsDeleted,
        unchangedLines: tally.unchangedLines,
        orphanVariants: staged.orphanVariants,
        skippedByType: tally.skippedByType,
        malformedCount: tally.malformedCount,
        malformedLines: tally.malformedLines,
        deletionsSkippedReason,
        batches,
        durationMs: Date.now() - started,
        timingsMs: { staging: stagingMs, prepare: prepareMs, merge: mergeMs, deletions: deletionsMs },
      };
    } finally {
      await client
        .query("SELECT pg_advisory_unlock(hashtext('product-ingest'), hashtext($1))", [options.shop])
        .catch(() => undefined);
    }
  } finally {
    // Always discarded: its settings and temp tables are the ingest's, and a COPY or stream that failed midway can
    // leave it mid-protocol.
    client.release(true);
  }
}
