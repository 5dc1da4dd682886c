import type pg from "pg";
import { z } from "zod";
import { pgPool, withTransaction } from "~/db.server";
import { enqueue, enqueueMany } from "~/jobs/queue.server";
import { shopDomain } from "~/jobs/shop-jobs";
import { TASK } from "~/jobs/task-names";
import { logger } from "~/lib/logger.server";

// Webhooks whose receipt is the record of the work (products/*, inventory_levels/*): the accept path stores the
// delivery with its payload in one INSERT (insertDeliveryReceipt, accept-delivery.server.ts) and answers 200; one
// job per shop and stream claims the shop's pending rows in batches, coalesces them (each domain its own way:
// app/sync/apply-product-deliveries.server.ts, app/inventory/apply-inventory-deliveries.server.ts) and marks them in
// the apply's own transaction. What the streams share is here, once: the job key, the one add_job at a time per shop,
// the claim of a batch, the marking of outcomes, the retry of a batch delivery by delivery, and the sweep.
//
// Why the job is not queued in the INSERT's transaction (as other webhooks' are): every delivery of a shop would update
// the same keyed job row, so a burst's transactions would queue behind its row lock until each commits, and
// graphile-worker's add_job can fail under that contention (graphile/worker#580). Instead the row is the record: a
// pending row (payload not null) is discoverable, the request then asks for the shop's job (requestDeliveriesJob), and
// should the process die between the INSERT and add_job, the sweep (`webhook-deliveries-sweep`, every minute) queues
// the job of every shop with rows left pending. docs/decisions/003.

/**
 * A stream is Shopify's topic resource (the part of the topic before the slash): every `products/*` delivery is the
 * products stream's, every `inventory_levels/*` the inventory stream's. The pending index
 * (webhook_delivery_pending_idx) is on the same expression, so each stream's claim reads its own rows in order.
 */
export const DELIVERY_STREAMS = {
  products: { resource: "products", task: TASK.productDeliveries },
  inventory: { resource: "inventory_levels", task: TASK.inventoryDeliveries },
} as const;
export type DeliveryStream = (typeof DELIVERY_STREAMS)[keyof typeof DELIVERY_STREAMS];
const RESOURCE_OF_TOPIC = `split_part(topic, '/', 1)`;

/** Every stream's coalescing job carries the shop alone: it reads the pending receipts. */
export const shopDeliveriesPayload = z.object({ shop: shopDomain });

declare module "~/jobs/task-payloads" {
  interface TaskPayloadSchemas {
    [TASK.productDeliveries]: typeof shopDeliveriesPayload;
    [TASK.inventoryDeliveries]: typeof shopDeliveriesPayload;
  }
}

/** One pending job per shop and stream; a job that is running when this is asked for has a new one queued behind it. */
export const deliveriesJobKey = (stream: DeliveryStream, shop: string) => `${stream.task}:${shop}`;

export function queueDeliveriesJob(
  stream: DeliveryStream,
  shop: string,
  options: { runAt?: Date } = {},
): Promise<unknown> {
  return enqueue(
    stream.task,
    { shop },
    { jobKey: deliveriesJobKey(stream, shop), jobKeyMode: "preserve_run_at", runAt: options.runAt },
  );
}

interface Flight {
  current: Promise<void>;
  next?: Promise<void>;
}
const flights = new Map<string, Flight>();

/**
 * Makes sure a job of the stream runs for `shop` after the caller's delivery committed: an add_job that starts after
 * the commit either finds the shop's job pending (it has not read the rows yet, so it will see this one) or queues a
 * new one. One add_job per shop and stream at a time in this process: while one is in flight, every delivery that
 * arrives meanwhile shares a single follow-up call, started when it ends (the one in flight may have found the job
 * just before a worker took it and read the rows). A burst of a thousand deliveries is a handful of add_job calls.
 */
export function requestDeliveriesJob(
  stream: DeliveryStream,
  shop: string,
  queue: (shop: string) => Promise<unknown> = (s) => queueDeliveriesJob(stream, s),
): Promise<void> {
  const key = deliveriesJobKey(stream, shop);
  const flight = flights.get(key);
  if (!flight) {
    const current = settleAfter(
      key,
      queue(shop).then(() => undefined),
    );
    flights.set(key, { current });
    return current;
  }
  flight.next ??= flight.current.catch(() => undefined).then(() => queue(shop).then(() => undefined));
  return flight.next;
}

function settleAfter(key: string, call: Promise<void>): Promise<void> {
  return call.finally(() => {
    const flight = flights.get(key);
    if (flight?.next) flights.set(key, { current: settleAfter(key, flight.next) });
    else flights.delete(key);
  });
}

/** The jobs the sweep queued: each stream's task and shop with deliveries pending. */
export interface SweptShop {
  task: DeliveryStream["task"];
  shop: string;
}

/** Queues the job of every shop and stream with deliveries pending for longer than `olderThanMs` (the sweep). */
export async function queueJobsOfPendingDeliveries(
  options: { now?: Date; olderThanMs?: number } = {},
): Promise<SweptShop[]> {
  const now = options.now ?? new Date();
  const { rows } = await pgPool().query<{ shop: string; resource: string }>(
    `SELECT DISTINCT shop, ${RESOURCE_OF_TOPIC} AS resource FROM webhook_delivery
      WHERE payload IS NOT NULL AND received_at < $1 ORDER BY 2, 1`,
    [new Date(now.getTime() - (options.olderThanMs ?? 30_000))],
  );
  const swept: SweptShop[] = [];
  for (const stream of Object.values(DELIVERY_STREAMS)) {
    const shops = rows.filter((r) => r.resource === stream.resource).map((r) => r.shop);
    if (shops.length === 0) continue;
    await enqueueMany(
      stream.task,
      shops.map((shop) => ({ payload: { shop }, jobKey: deliveriesJobKey(stream, shop) })),
    );
    swept.push(...shops.map((shop) => ({ task: stream.task, shop })));
  }
  return swept;
}

/** A pending delivery as a batch claims it. */
export interface PendingDelivery {
  webhook_id: string;
  topic: string;
  triggered_at: Date | null;
  payload: unknown;
}

/**
 * A stream's apply of one claimed batch, on the batch's transaction: the outcome of every delivery (by webhook id)
 * and the stream's own figures. `isolate`: the batch failed once on a statement error (a value the database refuses);
 * apply it again unit by unit under savepoints (failedUnit), so only the refused unit's deliveries are `failed`.
 */
export type ApplyDeliveryBatch<Outcome extends string, Stats> = (
  client: pg.PoolClient,
  rows: PendingDelivery[],
  context: { shop: string; now: Date; isolate: boolean },
) => Promise<{ outcomes: Map<string, Outcome>; stats: Stats }>;

export interface DeliveryBatchResult<Outcome extends string, Stats> {
  /** Deliveries claimed by this batch (0: none was pending). */
  deliveries: number;
  /** True when the batch was full: more may be pending. */
  more: boolean;
  outcomes: Map<string, Outcome>;
  /** The stream's figures; null when nothing was pending. */
  stats: Stats | null;
}

/**
 * Claims up to `batchSize` of the shop's pending deliveries of the stream, oldest first, FOR UPDATE SKIP LOCKED (two
 * jobs of a shop at once take disjoint rows), applies them and marks every one (payload cleared, applied_at, outcome)
 * in one transaction: a crash or an error rolls the whole batch back to pending, for the job's retry or the next job.
 */
export async function applyPendingDeliveries<Outcome extends string, Stats>(
  stream: DeliveryStream,
  shop: string,
  apply: ApplyDeliveryBatch<Outcome, Stats>,
  options: {
    now?: Date;
    batchSize: number;
    /** Called when the claim filled the batch (more may be pending), before the batch is applied. */
    onFullBatch?: () => Promise<unknown>;
  },
): Promise<DeliveryBatchResult<Outcome, Stats>> {
  const now = options.now ?? new Date();
  const batch = (isolate: boolean) => (client: pg.PoolClient) =>
    applyBatch(client, stream, shop, apply, { ...options, now, isolate });
  try {
    return await withTransaction(batch(false));
  } catch (error) {
    if (!isStatementError(error)) throw error;
    logger.warn(
      { scope: "webhooks", shop, err: error },
      `a batch of ${shop}'s ${stream.resource} deliveries failed (${(error as Error).message}); applying it delivery by delivery`,
    );
    return withTransaction(batch(true));
  }
}

async function applyBatch<Outcome extends string, Stats>(
  client: pg.PoolClient,
  stream: DeliveryStream,
  shop: string,
  apply: ApplyDeliveryBatch<Outcome, Stats>,
  options: { now: Date; batchSize: number; isolate: boolean; onFullBatch?: () => Promise<unknown> },
): Promise<DeliveryBatchResult<Outcome, Stats>> {
  const { rows } = await client.query<PendingDelivery>(
    `SELECT webhook_id, topic, triggered_at, payload FROM webhook_delivery
      WHERE shop = $1 AND ${RESOURCE_OF_TOPIC} = $2 AND payload IS NOT NULL
      ORDER BY received_at, webhook_id LIMIT $3 FOR UPDATE SKIP LOCKED`,
    [shop, stream.resource, options.batchSize],
  );
  if (rows.length === 0) return { deliveries: 0, more: false, outcomes: new Map(), stats: null };
  const more = rows.length === options.batchSize;
  if (more) await options.onFullBatch?.();
  const { outcomes, stats } = await apply(client, rows, { shop, now: options.now, isolate: options.isolate });
  const ids = [...outcomes.keys()];
  await client.query(
    `UPDATE webhook_delivery d SET payload = NULL, applied_at = $2, outcome = o.outcome
       FROM unnest($1::text[], $3::text[]) AS o(webhook_id, outcome) WHERE d.webhook_id = o.webhook_id`,
    [ids, options.now, ids.map((id) => outcomes.get(id)!)],
  );
  return { deliveries: rows.length, more, outcomes, stats };
}

/**
 * Runs one unit of an isolated batch (its deliveries, `webhookIds`) under a savepoint: a statement error rolls back
 * that unit alone, its deliveries are `failed` (logged as an error with their ids) and the batch goes on.
 */
export async function failedUnit(
  client: pg.PoolClient,
  context: { shop: string; what: string; webhookIds: string[] },
  run: () => Promise<void>,
): Promise<boolean> {
  await client.query("SAVEPOINT delivery_unit");
  try {
    await run();
    await client.query("RELEASE SAVEPOINT delivery_unit");
    return false;
  } catch (error) {
    if (!isStatementError(error)) throw error;
    await client.query("ROLLBACK TO SAVEPOINT delivery_unit");
    logger.error(
      { scope: "webhooks", shop: context.shop, webhookIds: context.webhookIds, outcome: "failed", err: error },
      `${context.what} of ${context.shop} could not be applied (webhooks ${context.webhookIds.join(", ")}): ${(error as Error).message}`,
    );
    return true;
  }
}

/**
 * A data exception or constraint violation (SQLSTATE classes 22 and 23: a value out of range, a bad cast): the same
 * statement fails on every retry. Anything else (a lost connection, a timeout, a deadlock) fails the job, which is retried.
 */
export function isStatementError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("23"));
}
