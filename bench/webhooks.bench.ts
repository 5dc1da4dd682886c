import { randomUUID } from "node:crypto";
import type pg from "pg";
import { SHOPIFY_API_VERSION } from "../app/shopify-admin/api-version";
import { webhookHmac } from "../emulator/webhook-sender";
import { webhookPathResolver } from "../emulator/webhook-paths";
import { temporaryBuild } from "../scripts/lib/production-build";
import { DEMO_SHOPS, startDemoStack } from "../scripts/lib/demo-stack";
import { openDedicatedDatabase } from "./dedicated-database";
import type { BenchResult, BenchRunOptions } from "./run";
import { round } from "./timing";

// `npm run bench -- webhooks`: a merchant's bulk edit as Shopify delivers it, for each coalesced stream. N signed
// deliveries of one topic (products/update: one per product, each a new title; then inventory_levels/update: one per
// variant, each a new quantity at the marketplace's location) at a given concurrency against a production build with
// its in-process worker, as `npm start` runs it. Reported per topic: deliveries accepted per second and their latency
// (Shopify waits 5 s and retries what is slower), what the worker applied during the burst, and how long the backlog
// took to drain after it. Baseline, same run, same concurrency: GET /healthz (one query), the server's own ceiling for
// a request that touches the database. Every change must be applied exactly once (every delivery's receipt marked
// applied, the stream's WEBHOOK sync events counting each delivery once, the database showing every change sent).
//
// Sizes: BENCH_WEBHOOKS (10,000 per topic), BENCH_WEBHOOK_CONCURRENCY (40); BUILD_DIRECTORY to reuse a build (else
// one is made into .cache/ and removed after).

export const name = "webhooks";
export const description =
  "products/update and inventory_levels/update bursts against a production build: accepted/s, latency, drain time";

const API_KEY = "bench-webhooks-key";
const API_SECRET = "bench-webhooks-secret-0123456789";
const SHOP = DEMO_SHOPS[0].domain;
const DRAIN_TIMEOUT_MS = 10 * 60_000;
const EVENTS_SETTLE_MS = 30_000;

export interface WebhooksBenchOptions extends Partial<BenchRunOptions> {
  deliveries?: number;
  concurrency?: number;
  /** A production build to serve (tests pass theirs); unset: BUILD_DIRECTORY, else built for this run. */
  build?: string;
}

const envNumber = (key: string, fallback: number) => (process.env[key] ? Number(process.env[key]) : fallback);

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;
}

/** Runs `count` requests with `concurrency` in flight; returns each one's latency and the non-2xx count. */
async function burst(count: number, concurrency: number, request: (i: number) => Promise<Response>) {
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) {
        const sent = performance.now();
        const response = await request(i).catch(() => undefined);
        await response?.arrayBuffer();
        latencies.push(performance.now() - sent);
        if (!response?.ok) failed++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { seconds, perSecond: count / seconds, latencies, failed };
}

/** One topic's burst: its bodies, and how many of the changes they carry the database shows. */
interface PreparedBurst {
  bodies: string[];
  shown: () => Promise<number>;
}

type BurstTopic = "products/update" | "inventory_levels/update";
const TOPICS: readonly BurstTopic[] = ["products/update", "inventory_levels/update"];
const streamOf = (topic: BurstTopic) => topic.split("/")[0];

export async function run(options: WebhooksBenchOptions = {}): Promise<BenchResult> {
  const deliveries = options.deliveries ?? envNumber("BENCH_WEBHOOKS", 10_000);
  const concurrency = options.concurrency ?? envNumber("BENCH_WEBHOOK_CONCURRENCY", 40);
  const log = options.log ?? (() => undefined);

  const database = await openDedicatedDatabase("webhooks", log);
  const built = (options.build ?? process.env.BUILD_DIRECTORY) ? undefined : await temporaryBuild("bench", log);
  const build = options.build ?? process.env.BUILD_DIRECTORY ?? built!.directory;
  const stack = await startDemoStack({
    databaseUrl: database.url,
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    build,
    seedProducts: false,
    worker: true,
  });
  try {
    const { emulator } = stack;
    emulator.control.seedProducts({ shop: SHOP, products: deliveries, variantsPerProduct: 1, seed: 11 });
    const products = emulator.control.listProducts({ shop: SHOP, limit: deliveries });
    const locationId = emulator.control.getShop({ shop: SHOP }).locations[0].legacyResourceId;
    // Webhook processing needs only the shop's connection (no Admin API call), so none is installed here. The
    // catalog is stored as a product sync would have left it, so the inventory deliveries move real variants.
    await database.pool.query(
      `INSERT INTO merchant_connection (shop, merchant_id, approval_status, selection_mode, default_location_id, updated_at)
       VALUES ($1, $1, 'APPROVED', 'ALL', $2, now())`,
      [SHOP, locationId],
    );
    const variants = products.map((p) => ({ product: p.legacyResourceId, ...p.variants[0] }));
    // Shopify's updated_at as the sync stores it (whole seconds), not the database's now(): a products/update of the
    // same second as the stored version is not newer than it (apply-product-webhook.server.ts), so a row dated later
    // in that second made every change of a burst within it stale on a fast machine (0 of 60 applied).
    await database.pool.query(
      `INSERT INTO product (shop, id, title, status, selected, listed, shopify_updated_at)
       SELECT $1, p.id, 'Product ' || p.id, 'ACTIVE', true, true, date_trunc('second', p.updated_at)
         FROM unnest($2::bigint[], $3::timestamptz[]) AS p(id, updated_at)`,
      [SHOP, products.map((p) => p.legacyResourceId), products.map((p) => p.updatedAt)],
    );
    // The merchant's bulk edit comes after the sync: from the next second on, as Shopify would date it.
    await new Promise((resolve) => setTimeout(resolve, 1_001 - (Date.now() % 1_000)));
    await database.pool.query(
      `INSERT INTO product_variant (shop, id, product_id, price, inventory_item_id, inventory_tracked)
       SELECT $1, v.id, v.product_id, 10, v.item, v.tracked
         FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::boolean[]) AS v(id, product_id, item, tracked)`,
      [
        SHOP,
        variants.map((v) => v.legacyResourceId),
        variants.map((v) => v.product),
        variants.map((v) => Number(v.inventoryItemId.split("/").pop())),
        variants.map((v) => v.tracked),
      ],
    );
    const runTag = randomUUID().slice(0, 8);

    // products/update: each product retitled, one delivery each.
    const prepareProducts = (): PreparedBurst => ({
      bodies: products.map((p, i) => {
        emulator.control.updateProduct({ shop: SHOP, productId: p.legacyResourceId, title: `burst ${runTag} ${i}` });
        return JSON.stringify(
          emulator.control.webhookPayload({ shop: SHOP, topic: "products/update", productId: p.legacyResourceId }),
        );
      }),
      shown: async () => {
        const { rows } = await database.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM product WHERE shop = $1 AND title LIKE $2`,
          [SHOP, `burst ${runTag} %`],
        );
        return rows[0].n;
      },
    });
    // inventory_levels/update: each variant's stock at the marketplace's location set anew, one delivery each. Shown:
    // the level stored as sent, and a tracked variant's marketplace quantity with it.
    const prepareInventory = (): PreparedBurst => {
      const sent = variants.map((v, i) => {
        emulator.control.setInventory({ shop: SHOP, variantId: v.legacyResourceId, locationId, available: 1000 + i });
        return emulator.control.webhookPayload({
          shop: SHOP,
          topic: "inventory_levels/update",
          variantId: v.legacyResourceId,
          locationId,
        }) as { inventory_item_id: number; available: number | null };
      });
      return {
        bodies: sent.map((payload) => JSON.stringify(payload)),
        shown: async () => {
          const { rows } = await database.pool.query<{ n: number }>(
            `SELECT count(*)::int AS n
               FROM unnest($2::bigint[], $3::int[]) AS x(item, available)
               JOIN inventory_level l ON l.shop = $1 AND l.inventory_item_id = x.item AND l.location_id = $4
               JOIN product_variant v ON v.shop = $1 AND v.inventory_item_id = x.item
              WHERE l.available IS NOT DISTINCT FROM x.available
                AND (x.available IS NULL OR v.available_quantity = x.available)`,
            [SHOP, sent.map((p) => p.inventory_item_id), sent.map((p) => p.available), locationId],
          );
          return rows[0].n;
        },
      };
    };

    log(`baseline: ${Math.min(deliveries, 2_000)} GET /healthz at concurrency ${concurrency}`);
    const health = await burst(Math.min(deliveries, 2_000), concurrency, () => fetch(`${stack.appUrl}/healthz`));

    const figures: BenchResult["figures"] = { deliveries, concurrency };
    let met = deliveries >= 10_000;
    let worstAcceptedPerSecond = Infinity;
    for (const topic of TOPICS) {
      const prepared = topic === "products/update" ? prepareProducts() : prepareInventory();
      log(`burst: ${deliveries} ${topic} at concurrency ${concurrency}`);
      const measured = await measureBurst(database.pool, stack.appUrl, topic, prepared, concurrency);
      for (const [name, value] of Object.entries(measured.figures)) figures[`${topic}: ${name}`] = value;
      met &&= measured.met;
      worstAcceptedPerSecond = Math.min(worstAcceptedPerSecond, measured.acceptedPerSecond);
    }

    return {
      figures,
      baseline: {
        "GET /healthz/s": round(health.perSecond),
        "/healthz p99 ms": round(percentile(health.latencies, 99)),
      },
      ratio: round(worstAcceptedPerSecond / health.perSecond),
      goal: "per topic, 10,000 deliveries accepted with p99 < 1 s, drained within 60 s of the burst's end, every change applied once",
      met,
    };
  } finally {
    await stack.stop();
    await database.close();
    built?.remove();
  }
}

/** One topic's burst, sent at `concurrency`, then its drain, then the exactly-once check. */
async function measureBurst(
  pool: pg.Pool,
  appUrl: string,
  topic: BurstTopic,
  { bodies, shown }: PreparedBurst,
  concurrency: number,
) {
  const deliveries = bodies.length;
  const stream = streamOf(topic);
  // A delivery is processed when the shop's coalescing job of its stream has applied it (or found it superseded)
  // and cleared its payload, in the apply's own transaction.
  const applied = async () => {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM webhook_delivery WHERE shop = $1 AND topic = $2 AND applied_at IS NOT NULL`,
      [SHOP, topic],
    );
    return rows[0].n;
  };
  const eventsSql = `FROM sync_event WHERE shop = $1 AND event_type = 'WEBHOOK' AND metadata->>'stream' = $2`;
  const deliveriesInEvents = async () => {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT coalesce(sum((metadata->>'deliveries')::int), 0)::int AS n ${eventsSql}`,
      [SHOP, stream],
    );
    return rows[0].n;
  };

  const url = new URL(webhookPathResolver()(topic), appUrl).toString();
  const sent = await burst(deliveries, concurrency, (i) =>
    fetch(url, {
      method: "POST",
      body: bodies[i],
      headers: {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Hmac-Sha256": webhookHmac(bodies[i], API_SECRET),
        "X-Shopify-Webhook-Id": randomUUID(),
        "X-Shopify-Event-Id": randomUUID(),
        "X-Shopify-Triggered-At": new Date().toISOString(),
        "X-Shopify-API-Version": SHOPIFY_API_VERSION,
        "User-Agent": "Shopify-Captain-Hook",
      },
    }),
  );
  const appliedDuringBurst = await applied();
  const drainStarted = performance.now();
  let appliedNow = appliedDuringBurst;
  while (appliedNow < deliveries - sent.failed && performance.now() - drainStarted < DRAIN_TIMEOUT_MS) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    appliedNow = await applied();
  }
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  // A batch's sync event is written by its job after the batch's transaction has committed: give the last jobs a
  // moment to write theirs before the events are counted (the drain time above is the deliveries').
  const eventsDeadline = performance.now() + EVENTS_SETTLE_MS;
  while ((await deliveriesInEvents()) < appliedNow && performance.now() < eventsDeadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  // Exactly once: every delivery recorded once and applied (each changes a product or a level of its own, so none
  // is superseded), the batches' sync events account for each delivery once, and the database shows every change.
  const { rows: check } = await pool.query<{ receipts: number; applied: number; in_events: number; jobs: number }>(
    `SELECT (SELECT count(*)::int FROM webhook_delivery WHERE shop = $1 AND topic = $3) AS receipts,
            (SELECT count(*)::int FROM webhook_delivery WHERE shop = $1 AND topic = $3 AND outcome = 'applied') AS applied,
            (SELECT coalesce(sum((metadata->>'deliveries')::int), 0)::int ${eventsSql}) AS in_events,
            (SELECT count(*)::int ${eventsSql}) AS jobs`,
    [SHOP, stream, topic],
  );
  const shownChanges = await shown();
  const exactlyOnce =
    sent.failed === 0 &&
    check[0].receipts === deliveries &&
    check[0].applied === deliveries &&
    check[0].in_events === deliveries &&
    shownChanges === deliveries;
  const p99 = percentile(sent.latencies, 99);
  return {
    acceptedPerSecond: sent.perSecond,
    met: p99 < 1000 && drainSeconds <= 60 && exactlyOnce,
    figures: {
      "accepted/s": round(sent.perSecond),
      "p50 ms": round(percentile(sent.latencies, 50)),
      "p95 ms": round(percentile(sent.latencies, 95)),
      "p99 ms": round(p99),
      "max ms": round(sent.latencies.at(-1) ?? 0),
      "not 2xx": sent.failed,
      "burst s": round(sent.seconds),
      "processed/s during burst": round(appliedDuringBurst / sent.seconds),
      "drained s after burst": round(drainSeconds),
      "apply jobs": check[0].jobs,
      "applied exactly once": exactlyOnce
        ? "yes"
        : `no (${check[0].receipts} receipts, ${check[0].applied} applied, ${check[0].in_events} in events, ${shownChanges} shown)`,
    },
  };
}
