import { z } from "zod";
import { logger } from "~/lib/logger.server";
import {
  applyPendingDeliveries,
  DELIVERY_STREAMS,
  failedUnit,
  type ApplyDeliveryBatch,
  type PendingDelivery,
} from "~/webhooks/pending-deliveries.server";
import {
  applyParsedProductWebhook,
  parseProductWebhook,
  PRODUCT_WEBHOOK_TOPICS,
  triggeredAtOf,
  upsertProductRow,
  writeProductVariants,
  type ParsedProductWebhook,
  type ProductWebhookTopic,
} from "./apply-product-webhook.server";

// The job side of products/* webhooks: a shop's pending deliveries (stored with their payload by the accept path,
// app/sync/record-product-delivery.server.ts) applied in batches, one transaction per batch, coalesced per product.
//
// Coalescing: a merchant's bulk edit sends one products/update per product, and an edit of the same product twice
// sends two; what the marketplace needs is each product's newest state. Of a product's updates in a batch only the
// newest (Shopify's updated_at, then X-Shopify-Triggered-At, the order the guarded upsert itself uses) is applied;
// the others are `superseded`. Deletions are always applied (in order with the update, oldest first). A payload
// without updated_at cannot be ordered, so a product with one is applied delivery by delivery, in arrival order, as
// before. Every write keeps its guard (apply-product-webhook.server.ts): a batch that holds an older state than the
// row's changes nothing, whatever order the batches run in.
//
// Exactly once (the claim and the marking are every stream's, app/webhooks/pending-deliveries.server.ts): a batch
// claims its rows FOR UPDATE SKIP LOCKED (two jobs of a shop at once take disjoint rows), and the rows are marked
// (payload cleared, applied_at and outcome set) in the apply's own transaction. A process that dies mid-batch rolls
// the whole batch back: its rows stay pending for the next run.
//
// A delivery that does not parse (a NUL in a stored field, a malformed amount) is `malformed`, for good: it would not
// parse on a retry either. A database error of one product (an id beyond bigint) fails the batch; the batch is then
// applied again product by product under savepoints, so only that product's deliveries are `failed` and the others
// apply. Both are logged as errors with the webhook ids; the daily export brings those products' state.

/** Deliveries applied per transaction. */
export const PRODUCT_DELIVERY_BATCH_SIZE = 500;

export type DeliveryOutcome = "applied" | "stale" | "superseded" | "malformed" | "failed" | "unknown-shop";

export interface ApplyProductDeliveriesResult {
  /** Deliveries claimed by this batch (0: none was pending). */
  deliveries: number;
  /** True when the batch was full: more may be pending. */
  more: boolean;
  outcomes: Record<DeliveryOutcome, number>;
  productsWritten: number;
  variantsWritten: number;
  variantsDeleted: number;
}

interface Parsed {
  row: PendingDelivery;
  delivery: ParsedProductWebhook;
}

const topic = z.enum(PRODUCT_WEBHOOK_TOPICS);

/** Claims and applies one batch of `shop`'s pending deliveries, oldest first. */
export async function applyPendingProductDeliveries(
  shop: string,
  options: {
    now?: Date;
    batchSize?: number;
    /** Called when the claim filled the batch (more may be pending), before the batch is applied. */
    onFullBatch?: () => Promise<unknown>;
  } = {},
): Promise<ApplyProductDeliveriesResult> {
  const batch = await applyPendingDeliveries(DELIVERY_STREAMS.products, shop, applyProductBatch, {
    ...options,
    batchSize: options.batchSize ?? PRODUCT_DELIVERY_BATCH_SIZE,
  });
  const result: ApplyProductDeliveriesResult = {
    deliveries: batch.deliveries,
    more: batch.more,
    outcomes: { applied: 0, stale: 0, superseded: 0, malformed: 0, failed: 0, "unknown-shop": 0 },
    productsWritten: batch.stats?.productsWritten ?? 0,
    variantsWritten: batch.stats?.variantsWritten ?? 0,
    variantsDeleted: batch.stats?.variantsDeleted ?? 0,
  };
  for (const outcome of batch.outcomes.values()) result.outcomes[outcome] += 1;
  return result;
}

/** Which deliveries of a batch to apply, per product in order, and which are superseded by a newer one. */
export function planProductDeliveries(parsed: Parsed[]): { apply: Parsed[][]; superseded: Parsed[] } {
  const byProduct = new Map<string, Parsed[]>();
  for (const p of parsed) {
    const list = byProduct.get(p.delivery.productId) ?? [];
    list.push(p);
    byProduct.set(p.delivery.productId, list);
  }
  const apply: Parsed[][] = [];
  const superseded: Parsed[] = [];
  // Products in id order: two batches of a shop running at once lock rows in the same order (no deadlock).
  for (const id of [...byProduct.keys()].sort(compareIds)) {
    const deliveries = byProduct.get(id)!;
    if (deliveries.some((d) => d.delivery.product && d.delivery.product.updated_at === null)) {
      apply.push(deliveries); // arrival order, every one, as the guard alone would order them
      continue;
    }
    const updates = deliveries.filter((d) => d.delivery.topic !== "products/delete");
    const newest = updates.reduce<Parsed | undefined>((best, d) => (!best || isNewer(d, best) ? d : best), undefined);
    superseded.push(...updates.filter((d) => d !== newest));
    const kept = deliveries.filter((d) => d.delivery.topic === "products/delete" || d === newest);
    apply.push(kept.sort((a, b) => versionTime(a) - versionTime(b)));
  }
  return { apply, superseded };
}

type ProductBatchStats = Pick<ApplyProductDeliveriesResult, "productsWritten" | "variantsWritten" | "variantsDeleted">;

const applyProductBatch: ApplyDeliveryBatch<DeliveryOutcome, ProductBatchStats> = async (
  client,
  rows,
  { shop, now, isolate },
) => {
  const result: ProductBatchStats = { productsWritten: 0, variantsWritten: 0, variantsDeleted: 0 };
  const outcomes = new Map<string, DeliveryOutcome>();

  const known = await client.query("SELECT 1 FROM merchant_connection WHERE shop = $1", [shop]);
  const parsed: Parsed[] = [];
  for (const row of rows) {
    if (!known.rowCount) {
      outcomes.set(row.webhook_id, "unknown-shop");
      continue;
    }
    try {
      parsed.push({ row, delivery: parseProductWebhook(topic.parse(row.topic) as ProductWebhookTopic, row.payload) });
    } catch (error) {
      if (!(error instanceof z.ZodError)) throw error;
      outcomes.set(row.webhook_id, "malformed");
      logger.error(
        { scope: "webhooks", shop, topic: row.topic, webhookId: row.webhook_id, outcome: "malformed" },
        `malformed ${row.topic} for ${shop} (webhook ${row.webhook_id}), not applied: ${error.message}`,
      );
    }
  }

  const plan = planProductDeliveries(parsed);
  for (const p of plan.superseded) outcomes.set(p.row.webhook_id, "superseded");
  // The common case, one update per product, pipelined: every product's statement is sent on the connection as the
  // previous one completes, without a round of the event loop in between (which the web requests of the same process
  // fill during a burst), then the variants of those written. Each product's own statements keep their order.
  const single = isolate ? [] : plan.apply.filter((d) => d.length === 1 && d[0].delivery.product);
  const written = await Promise.all(
    single.map(({ 0: { row, delivery } }) =>
      upsertProductRow(client, shop, delivery.product!, triggeredAtOf(row.triggered_at), now),
    ),
  );
  const variants = await Promise.all(
    single.map(({ 0: { delivery } }, i) =>
      written[i] ? writeProductVariants(client, shop, delivery.product!, now) : undefined,
    ),
  );
  single.forEach(({ 0: { row } }, i) => {
    outcomes.set(row.webhook_id, written[i] ? "applied" : "stale");
    if (!written[i]) return;
    result.productsWritten += 1;
    result.variantsWritten += variants[i]!.variantsWritten;
    result.variantsDeleted += variants[i]!.variantsDeleted;
  });
  const pipelined = new Set(single);
  for (const deliveries of plan.apply.filter((d) => !pipelined.has(d))) {
    const applyAll = async () => {
      for (const { row, delivery } of deliveries) {
        const applied = await applyParsedProductWebhook(client, shop, delivery, row.triggered_at, now);
        outcomes.set(row.webhook_id, applied.applied ? "applied" : applied.reason);
        if (applied.applied) {
          result.productsWritten += 1;
          result.variantsWritten += applied.variantsWritten;
          result.variantsDeleted += applied.variantsDeleted;
        }
      }
    };
    if (!isolate) {
      await applyAll();
      continue;
    }
    const webhookIds = deliveries.map((d) => d.row.webhook_id);
    const what = `product ${deliveries[0].delivery.productId}`;
    if (await failedUnit(client, { shop, what, webhookIds }, applyAll)) {
      for (const id of webhookIds) outcomes.set(id, "failed");
    }
  }
  return { outcomes, stats: result };
};

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

const millis = (at: string | Date | null | undefined) => (at ? new Date(at).getTime() : Number.NEGATIVE_INFINITY);

/** When a delivery's state was Shopify's: an update's updated_at, a deletion's X-Shopify-Triggered-At. */
function versionTime(p: Parsed): number {
  return p.delivery.product ? millis(p.delivery.product.updated_at) : millis(p.row.triggered_at);
}

/** The guard's own order: a later updated_at, or the same with a later X-Shopify-Triggered-At (the first arrival wins a full tie). */
function isNewer(a: Parsed, b: Parsed): boolean {
  const at = versionTime(a) - versionTime(b);
  return at > 0 || (at === 0 && millis(a.row.triggered_at) > millis(b.row.triggered_at));
}
