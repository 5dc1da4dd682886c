import { pgPool } from "~/db.server";
import { enqueue, enqueueMany } from "~/jobs/queue.server";
import { TASK } from "~/jobs/task-names";
import type { Queryable } from "~/lib/queryable.server";
import { insertDeliveryReceipt, type WebhookDeliveryInput } from "~/webhooks/accept-delivery.server";

// The accept path of products/* webhooks, as cheap as it can be: Shopify waits 5 s for an answer and retries what is
// slower, so a burst answered slowly comes back doubled. After the HMAC check, a delivery is one INSERT of its receipt
// with its payload (the receipt dedupes: a repeated X-Shopify-Webhook-Id inserts nothing), and the route answers 200.
// The work is the shop's coalescing job (`product-deliveries`, app/sync/apply-product-deliveries.server.ts), which
// reads the pending rows: its payload is the shop alone, so a job key can keep one job pending per shop without
// ever replacing what a delivery carries.
//
// Why the job is not queued in the INSERT's transaction (as other webhooks' are, app/webhooks/accept-delivery.server.ts):
// every delivery of a shop would update the same keyed job row, so a burst's transactions would queue behind its row
// lock until each commits, and graphile-worker's add_job can fail under that contention (graphile/worker#580). Instead
// the row is the record: a pending row (payload not null) is discoverable, the request then asks for the shop's job
// (one add_job at a time per shop and process, below), and should the process die between the INSERT and add_job,
// the sweep (`product-deliveries-sweep`, every minute) queues the job of every shop with rows left pending.

export interface ProductDeliveryInput extends WebhookDeliveryInput {
  payload: unknown;
}

/** Records the delivery with its payload; false when its webhook id was already recorded (nothing is written). */
export function recordProductDelivery(input: ProductDeliveryInput, db: Queryable = pgPool()): Promise<boolean> {
  return insertDeliveryReceipt(db, input, input.payload ?? {});
}

/** One pending job per shop; a job that is running when this is asked for has a new one queued behind it. */
export const productDeliveriesJobKey = (shop: string) => `${TASK.productDeliveries}:${shop}`;

export function queueProductDeliveriesJob(shop: string, options: { runAt?: Date } = {}): Promise<unknown> {
  return enqueue(
    TASK.productDeliveries,
    { shop },
    { jobKey: productDeliveriesJobKey(shop), jobKeyMode: "preserve_run_at", runAt: options.runAt },
  );
}

interface Flight {
  current: Promise<void>;
  next?: Promise<void>;
}
const flights = new Map<string, Flight>();

/**
 * Makes sure a `product-deliveries` job of `shop` runs after the caller's delivery committed: an add_job that starts
 * after the commit either finds the shop's job pending (it has not read the rows yet, so it will see this one) or
 * queues a new one. One add_job per shop at a time in this process: while one is in flight, every delivery that
 * arrives meanwhile shares a single follow-up call, started when it ends (the one in flight may have found the job
 * just before a worker took it and read the rows). A burst of a thousand deliveries is a handful of add_job calls.
 */
export function requestProductDeliveriesJob(
  shop: string,
  queue: (shop: string) => Promise<unknown> = queueProductDeliveriesJob,
): Promise<void> {
  const flight = flights.get(shop);
  if (!flight) {
    const current = settleAfter(
      shop,
      queue(shop).then(() => undefined),
    );
    flights.set(shop, { current });
    return current;
  }
  flight.next ??= flight.current.catch(() => undefined).then(() => queue(shop).then(() => undefined));
  return flight.next;
}

function settleAfter(shop: string, call: Promise<void>): Promise<void> {
  return call.finally(() => {
    const flight = flights.get(shop);
    if (flight?.next) flights.set(shop, { current: settleAfter(shop, flight.next) });
    else flights.delete(shop);
  });
}

/** Shops with deliveries pending for longer than `olderThanMs`: the sweep queues their job. */
export async function queueJobsOfPendingDeliveries(
  options: { now?: Date; olderThanMs?: number } = {},
): Promise<string[]> {
  const now = options.now ?? new Date();
  const { rows } = await pgPool().query<{ shop: string }>(
    `SELECT DISTINCT shop FROM webhook_delivery WHERE payload IS NOT NULL AND received_at < $1`,
    [new Date(now.getTime() - (options.olderThanMs ?? 30_000))],
  );
  await enqueueMany(
    TASK.productDeliveries,
    rows.map(({ shop }) => ({ payload: { shop }, jobKey: productDeliveriesJobKey(shop) })),
  );
  return rows.map((r) => r.shop);
}
