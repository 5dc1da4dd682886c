import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { freePort } from "../../scripts/lib/scratch-server";
import { pgPool, prisma } from "../../app/db.server";
import { webhookHmac, type RunningEmulator } from "../../emulator";
import type { DemoStack } from "../../scripts/lib/demo-stack";
import { waitUntil } from "../support/emulator";
import { startProductionStack } from "../support/production-build";
import { emulatedShop } from "../inventory/emulated-shop";

// The web app (`npm start` on the production build, WORKER_IN_PROCESS=false: it runs no jobs) and two
// `npm run worker` processes (node with tsx's loader, as the npm script runs it) on one PostgreSQL, 30 shops on the
// Shopify emulator. Each shop's products/update webhook is POSTed to the web app (HMAC-signed) and must be applied
// by one of the workers exactly once. The hourly inventory fan-out is due (its last run is more than an hour old): the
// crontab of both processes must fire it once; every shop's sync must run to completion once; and when the worker
// running the one slow shop's job is SIGKILLed, the other must finish that job within seconds (its dead-worker
// sweep runs every second here, WORKER_SWEEP_INTERVAL_SECONDS=1), not the 4 hours graphile-worker would wait.

const SHOPS = 30;
const API_KEY = "many-workers-api-key";
const API_SECRET = "many-workers-api-secret";
let stack: DemoStack;
let emulator: RunningEmulator;
const workers: Array<{ child: ChildProcess; output: () => string; exited: Promise<unknown> }> = [];

beforeAll(async () => {
  stack = await startProductionStack({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    seedProducts: false,
    worker: false,
  });
  emulator = stack.emulator;
}, 300_000);
afterAll(async () => {
  for (const worker of workers) worker.child.kill("SIGKILL");
  await stack?.stop();
});

/** A products/update webhook for `shop`, POSTed to the web app as Shopify sends it. */
async function postProductWebhook(shop: string, productId: number): Promise<number> {
  const body = JSON.stringify({
    id: productId,
    title: `Webhook product of ${shop}`,
    status: "active",
    updated_at: "2026-11-01T00:00:00Z",
    variants: [1, 2].map((n) => ({
      id: productId * 10 + n,
      sku: `W-${productId}-${n}`,
      price: "3.00",
      updated_at: "2026-11-01T00:00:00Z",
    })),
  });
  const response = await fetch(`${stack.appUrl}/webhooks/products/update`, {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": "products/update",
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-Hmac-Sha256": webhookHmac(body, API_SECRET),
      "X-Shopify-Webhook-Id": randomUUID(),
      "X-Shopify-Event-Id": randomUUID(),
      "X-Shopify-Triggered-At": new Date().toISOString(),
      "X-Shopify-API-Version": "2026-01",
    },
  });
  return response.status;
}

async function startWorkerProcess() {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
    env: {
      ...process.env,
      SHOPIFY_ADMIN_API_BASE: emulator.url,
      WORKER_IN_PROCESS: "false",
      WORKER_CONCURRENCY: "3",
      WORKER_SWEEP_INTERVAL_SECONDS: "1",
      WORKER_HTTP_PORT: String(await freePort()), // two workers on one machine: a probe port each
      INVENTORY_SYNC_SPREAD_MINUTES: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const worker = { child, output: () => output, exited };
  workers.push(worker);
  return worker;
}

const poolOf = (output: string) => /\[worker\] running, concurrency \d+, pool (\S+)/.exec(output)?.[1];

describe("the web app and two worker processes", () => {
  it("cron fires once, every shop syncs once, every webhook is applied once, a SIGKILLed worker's job is finished by the other", async () => {
    // The web app runs no worker: healthy as long as the database answers, its worker "external".
    const health = await fetch(`${stack.appUrl}/healthz`);
    expect({ status: health.status, body: await health.json() }).toEqual({
      status: 200,
      body: { ok: true, database: "up", worker: "external" },
    });
    const shops: string[] = [];
    for (let i = 0; i < SHOPS; i++) {
      const shop = `many-${i}.myshopify.com`;
      const { accessToken } = await emulatedShop(emulator, { domain: shop, products: 3 });
      await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken } });
      shops.push(shop);
    }
    const slowShop = shops[5];
    emulator.control.injectFault({ shop: slowShop, fault: { kind: "slow", delayMs: 120_000 } }); // its first request hangs
    // The hourly fan-out last ran over an hour ago: the starting crontabs owe one run (backfill).
    await pgPool().query(
      `INSERT INTO graphile_worker._private_known_crontabs (identifier, known_since, last_execution)
       VALUES ('inventory-sync-fan-out', now() - interval '1 day', now() - interval '61 minutes')
       ON CONFLICT (identifier) DO UPDATE SET last_execution = excluded.last_execution`,
    );

    const a = await startWorkerProcess();
    const b = await startWorkerProcess();
    await waitUntil(async () => !!(poolOf(a.output()) && poolOf(b.output())), 60_000, 100);
    // Webhooks arrive at the web app while the workers sync: one per shop (the slow shop's too).
    for (const [i, shop] of shops.entries()) expect(await postProductWebhook(shop, 9_000 + i)).toBe(200);

    const successes = async () => {
      const { rows } = await pgPool().query<{ shop: string; status: string; n: number }>(
        `SELECT shop, status::text, count(*)::int AS n FROM sync_event WHERE event_type = 'INVENTORY_SYNC' GROUP BY shop, status`,
      );
      return rows;
    };
    // Every shop but the slow one completes; the slow one's job is held by one of the workers.
    await waitUntil(
      async () => (await successes()).filter((r) => r.status === "SUCCESS").length === SHOPS - 1,
      60_000,
      100,
    );
    const holder = await waitUntil(
      async () => {
        const { rows } = await pgPool().query<{ locked_by: string | null }>(
          `SELECT locked_by FROM graphile_worker.jobs WHERE task_identifier = 'inventory-sync' AND key = $1`,
          [`inventory-sync:${slowShop}`],
        );
        return rows[0]?.locked_by ?? null;
      },
      30_000,
      100,
    );
    // Kill only once every other job has been marked complete: a worker SIGKILLed after a job's work committed but
    // before graphile-worker recorded its completion (a window of milliseconds) has that job run again by the
    // sweep; its sync event stays single (keyed by job id and attempt: tests/worker/rerun-after-crash.test.ts), but
    // the "Completed task" and requeue counts below would not be this scenario's.
    await waitUntil(
      async () => {
        const { rows } = await pgPool().query<{ n: number }>(
          `SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE NOT (task_identifier = 'inventory-sync' AND key = $1)`,
          [`inventory-sync:${slowShop}`],
        );
        return rows[0].n === 0;
      },
      60_000,
      100,
    );
    const victim = [a, b].find((w) => poolOf(w.output()) === holder)!;
    const survivor = victim === a ? b : a;
    expect(victim).toBeDefined();

    const killedAt = Date.now();
    victim.child.kill("SIGKILL");
    await waitUntil(
      async () => (await successes()).some((r) => r.shop === slowShop && r.status === "SUCCESS"),
      60_000,
      100,
    );
    const recoveryMs = Date.now() - killedAt;
    console.info(
      `[many-workers] ${SHOPS} shops, the SIGKILLed worker's job finished by the other ${recoveryMs} ms after the kill`,
    );

    // Once each: one fan-out run, one successful sync per shop, no failures, nothing left queued or locked.
    const events = await successes();
    expect(
      events
        .filter((r) => r.status === "SUCCESS")
        .map((r) => [r.shop, r.n])
        .sort(),
    ).toEqual(shops.map((s) => [s, 1]).sort());
    expect(events.filter((r) => r.status !== "SUCCESS")).toEqual([]);
    const fanOuts = (a.output() + b.output()).match(/Completed task \d+ \(schedule-inventory-syncs/g) ?? [];
    expect(fanOuts).toHaveLength(1);
    const requeued = Number(
      /requeued (\d+) job\(s\) left locked by a worker that died/.exec(survivor.output())?.[1] ?? 0,
    );
    expect(requeued).toBe(1); // the slow shop's job
    // Every webhook applied once, by a worker (the web app ran none): one WEBHOOK event per shop, each shop's
    // webhook product with its two variants, none lost, none doubled.
    await waitUntil(
      async () => (await prisma.syncEvent.count({ where: { eventType: "WEBHOOK" } })) >= SHOPS,
      30_000,
      100,
    );
    const { rows: webhookRuns } = await pgPool().query<{ shop: string; n: number }>(
      `SELECT shop, count(*)::int AS n FROM sync_event WHERE event_type = 'WEBHOOK' AND status = 'SUCCESS' GROUP BY shop ORDER BY shop`,
    );
    expect(webhookRuns).toEqual(shops.map((shop) => ({ shop, n: 1 })).sort((x, y) => x.shop.localeCompare(y.shop)));
    const { rows: applied } = await pgPool().query<{ shop: string; products: number; variants: number }>(
      `SELECT p.shop, count(DISTINCT p.id)::int AS products, count(v.id)::int AS variants
         FROM product p LEFT JOIN product_variant v ON v.shop = p.shop AND v.product_id = p.id AND v.deleted_at IS NULL
        WHERE p.id BETWEEN 9000 AND 9999 GROUP BY p.shop`,
    );
    expect(applied.map((r) => [r.products, r.variants])).toEqual(shops.map(() => [1, 2]));
    expect(stack.output()).not.toMatch(/Completed task/);
    const { rows: left } = await pgPool().query(
      `SELECT task_identifier, locked_by FROM graphile_worker.jobs WHERE task_identifier IN ('inventory-sync', 'schedule-inventory-syncs', 'product-webhook')`,
    );
    expect(left).toEqual([]);
    const completed = (a.output() + b.output()).match(/Completed task \d+/g) ?? [];
    const failed = (a.output() + b.output()).match(/Failed task \d+/g) ?? [];
    console.info(
      `[many-workers] ${completed.length} jobs completed, ${failed.length} failed attempts, ${requeued} requeued from the killed worker, web app ran none`,
    );

    survivor.child.kill("SIGTERM");
    await survivor.exited;
  }, 240_000);
});
