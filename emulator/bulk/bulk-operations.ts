import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { numericId } from "../ids";
import type { BulkFault } from "../faults";
import type { ResolverContext } from "../resolvers";
import { adminSchema } from "../schema";
import type { EmulatorStore, ShopState } from "../store";
import { ACTIVE_STATUSES, type BulkFile, type BulkOperationRecord } from "./bulk-operation-record";
import { checkBulkQuery } from "./bulk-query";
import { writeBulkJsonl } from "./jsonl-writer";

export interface BulkTiming {
  // CREATED -> RUNNING.
  startDelayMs: number;
  // Minimum time RUNNING, so pollers see the state; writing a big file can take longer.
  minRunningMs: number;
  // How long a result URL stays valid (Shopify: 7 days).
  urlTtlMs: number;
}

export const DEFAULT_BULK_TIMING: BulkTiming = { startDelayMs: 50, minRunningMs: 250, urlTtlMs: 7 * 86_400_000 };

export const MAX_CONCURRENT_BULK_QUERIES = 5;

export interface BulkOptions {
  store: EmulatorStore;
  timing: BulkTiming;
  publicBaseUrl: () => string;
  trailingNewline: boolean;
  // groupObjects false (2026-01's default) promises no order of lines: "any" shuffles them (see jsonl-writer.ts).
  lineOrder?: "grouped" | "any";
  onFinished: (shop: ShopState, operation: BulkOperationRecord) => void;
}

type UserError = { code: string | null; field: string[] | null; message: string };

// Bulk query operations: accepted or refused like Shopify, then run in the background into a JSONL file on disk
// that the emulator serves under /__bulk/<token>/...
export class BulkOperations {
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), "shopify-emulator-bulk-"));
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly files = new Map<string, { file: BulkFile; shop: string; operationId: number }>();
  private readonly cancelled = new Set<number>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: BulkOptions) {}

  runQuery(shop: ShopState, query: string): { bulkOperation: BulkOperationRecord | null; userErrors: UserError[] } {
    const check = checkBulkQuery(query);
    if (!check.ok)
      return { bulkOperation: null, userErrors: [{ code: "INVALID", field: ["query"], message: check.message }] };
    const active = [...shop.bulkOperations.values()].filter(
      (op) => op.type === "QUERY" && ACTIVE_STATUSES.has(op.status),
    );
    if (active.length >= MAX_CONCURRENT_BULK_QUERIES) {
      return {
        bulkOperation: null,
        userErrors: [
          {
            code: "LIMIT_REACHED",
            field: null,
            message: `A maximum of ${MAX_CONCURRENT_BULK_QUERIES} bulk queries can run at the same time for this app and shop.`,
          },
        ],
      };
    }
    const now = this.options.store.nowMs();
    const operation: BulkOperationRecord = {
      kind: "BulkOperation",
      id: this.options.store.ids.allocate("BulkOperation"),
      shopDomain: shop.domain,
      query,
      type: "QUERY",
      status: "CREATED",
      errorCode: null,
      createdAt: now,
      completedAt: null,
      objectCount: 0,
      rootObjectCount: 0,
      fileSize: null,
      data: null,
      partialData: null,
    };
    shop.bulkOperations.set(operation.id, operation);
    const faults = shop.faults.takeBulkFaults();
    this.later(this.options.timing.startDelayMs, () => this.track(this.execute(shop, operation, check.plan, faults)));
    return { bulkOperation: operation, userErrors: [] };
  }

  cancel(
    shop: ShopState,
    id: string,
  ): { bulkOperation: BulkOperationRecord | null; userErrors: Array<{ field: string[]; message: string }> } {
    const operation = shop.bulkOperations.get(numericId(id, "BulkOperation") ?? -1);
    if (!operation)
      return { bulkOperation: null, userErrors: [{ field: ["id"], message: "Bulk operation does not exist" }] };
    if (!ACTIVE_STATUSES.has(operation.status)) {
      return {
        bulkOperation: operation,
        userErrors: [
          {
            field: ["id"],
            message: `A bulk operation cannot be canceled when it is ${operation.status.toLowerCase()}`,
          },
        ],
      };
    }
    operation.status = "CANCELING";
    this.cancelled.add(operation.id);
    return { bulkOperation: operation, userErrors: [] };
  }

  setLineOrder(order: "grouped" | "any"): void {
    this.options.lineOrder = order;
  }

  setTiming(timing: Partial<BulkTiming>): BulkTiming {
    Object.assign(this.options.timing, timing);
    return { ...this.options.timing };
  }

  publicUrl(operation: BulkOperationRecord, which: "data" | "partial"): string | null {
    const file = which === "data" ? operation.data : operation.partialData;
    if (!file) return null;
    // Signed-URL look, like the storage links Shopify hands out.
    return `${this.options.publicBaseUrl()}/__bulk/${file.token}/bulk-${operation.id}.jsonl?Expires=${Math.floor(file.expiresAt / 1000)}`;
  }

  // For the HTTP layer: the file behind a token, or why it cannot be served.
  lookupFile(token: string): { path: string } | { error: "not_found" | "expired" } {
    const entry = this.files.get(token);
    if (!entry) return { error: "not_found" };
    if (this.options.store.nowMs() >= entry.file.expiresAt) return { error: "expired" };
    return { path: entry.file.path };
  }

  expireUrls(shop: ShopState, operationId?: number): number {
    let count = 0;
    for (const entry of this.files.values()) {
      if (entry.shop === shop.domain && (operationId === undefined || entry.operationId === operationId)) {
        entry.file.expiresAt = 0;
        count++;
      }
    }
    return count;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async execute(
    shop: ShopState,
    operation: BulkOperationRecord,
    plan: Parameters<typeof writeBulkJsonl>[0]["plan"],
    faults: BulkFault[],
  ): Promise<void> {
    if (this.stopped) return;
    if (this.cancelled.has(operation.id)) return this.finish(shop, operation, "CANCELED");
    operation.status = "RUNNING";
    const startedAt = Date.now();
    const failure = faults.find((f): f is Extract<BulkFault, { kind: "bulkFailed" }> => f.kind === "bulkFailed");
    const malformed = faults.some((f) => f.kind === "bulkMalformedLine");
    const expired = faults.some((f) => f.kind === "bulkUrlExpired");
    const ctx: ResolverContext = { shop, store: this.options.store, bulk: this };
    const file = this.newFile();
    try {
      const result = await writeBulkJsonl({
        schema: adminSchema(),
        plan,
        ctx,
        path: file.path,
        trailingNewline: this.options.trailingNewline,
        interleaveEvery: 3,
        lineOrder: this.options.lineOrder ?? "grouped",
        seed: operation.id,
        corruptLine: malformed ? 1 : undefined,
        // A failure midway leaves roughly half of the objects behind as partial data.
        maxObjects: failure
          ? failure.partialData === false
            ? 0
            : Math.max(1, Math.floor(countObjectsEstimate(shop, plan.rootFieldName) / 2))
          : undefined,
        isCancelled: () => this.cancelled.has(operation.id) || this.stopped,
      });
      // Cancelling cuts the wait short, as it would cut a long export short.
      while (
        Date.now() - startedAt < this.options.timing.minRunningMs &&
        !this.cancelled.has(operation.id) &&
        !this.stopped
      ) {
        const remaining = this.options.timing.minRunningMs - (Date.now() - startedAt);
        // A plain timer, not `later`: stop() clears those, which would leave this wait (and stop itself) hanging.
        await new Promise<void>((resolve) => setTimeout(resolve, Math.min(remaining, 50)));
      }
      if (this.stopped) return;
      operation.objectCount = result.objectCount;
      operation.rootObjectCount = result.rootObjectCount;
      if (expired) file.expiresAt = 0;
      if (this.cancelled.has(operation.id)) return this.finish(shop, operation, "CANCELED");
      if (failure) {
        operation.errorCode = failure.errorCode ?? "INTERNAL_SERVER_ERROR";
        if (result.objectCount > 0) operation.partialData = this.register(shop, operation, file);
        return this.finish(shop, operation, "FAILED");
      }
      operation.fileSize = result.objectCount > 0 ? result.bytes : null;
      // Shopify gives no URL when the query matched nothing.
      if (result.objectCount > 0) operation.data = this.register(shop, operation, file);
      this.finish(shop, operation, "COMPLETED");
    } catch (error) {
      if (this.stopped) return;
      console.error(`[shopify-emulator] bulk operation ${operation.id} crashed`, error);
      operation.errorCode = "INTERNAL_SERVER_ERROR";
      this.finish(shop, operation, "FAILED");
    }
  }

  private finish(shop: ShopState, operation: BulkOperationRecord, status: "COMPLETED" | "FAILED" | "CANCELED"): void {
    operation.status = status;
    operation.completedAt = this.options.store.nowMs();
    this.cancelled.delete(operation.id);
    this.options.onFinished(shop, operation);
  }

  private newFile(): BulkFile {
    const token = randomBytes(16).toString("hex");
    return { token, path: path.join(this.dir, `${token}.jsonl`), expiresAt: Number.POSITIVE_INFINITY };
  }

  private register(shop: ShopState, operation: BulkOperationRecord, file: BulkFile): BulkFile {
    if (file.expiresAt !== 0) file.expiresAt = this.options.store.nowMs() + this.options.timing.urlTtlMs;
    this.files.set(file.token, { file, shop: shop.domain, operationId: operation.id });
    return file;
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private track(promise: Promise<void>): void {
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise));
  }
}

function countObjectsEstimate(shop: ShopState, rootField: string): number {
  return rootField === "products" ? shop.productList.length + shop.variantList.length : shop.variantList.length;
}
