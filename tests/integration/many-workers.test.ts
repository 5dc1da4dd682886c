import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/scratch-server";
import { pgPool, prisma } from "../../app/db.server";
import type { RunningEmulator } from "../../emulator";
import { startTestEmulator, waitUntil } from "../support/emulator";
import { emulatedShop } from "../inventory/emulated-shop";

// Two `npm run worker` processes (node with tsx's loader, as the npm script runs it) on one PostgreSQL, a dozen
// shops on the Shopify emulator. The hourly inventory fan-out is due (its last run is more than an hour old): the
// crontab of both processes must fire it once; every shop's sync must run to completion once; and when the worker
// running the one slow shop's job is SIGKILLed, the other must finish that job within seconds (its dead-worker
// sweep runs every second here, WORKER_SWEEP_INTERVAL_SECONDS=1), not the 4 hours graphile-worker would wait.

const SHOPS = 12;
let emulator: RunningEmulator;
const workers: Array<{ child: ChildProcess; output: () => string; exited: Promise<unknown> }> = [];

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  for (const worker of workers) worker.child.kill("SIGKILL");
  await emulator?.stop();
});

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

describe("the app's jobs on two worker processes", () => {
  it("cron fires once, every shop syncs once, a SIGKILLed worker's job is finished by the other", async () => {
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

    const successes = async () => {
      const { rows } = await pgPool().query<{ shop: string; status: string; n: number }>(
        `SELECT shop, status::text, count(*)::int AS n FROM sync_event WHERE event_type = 'INVENTORY_SYNC' GROUP BY shop, status`,
      );
      return rows;
    };
    // Every shop but the slow one completes; the slow one's job is held by one of the workers.
    await waitUntil(async () => (await successes()).filter((r) => r.status === "SUCCESS").length === SHOPS - 1, 60_000, 100);
    const holder = await waitUntil(async () => {
      const { rows } = await pgPool().query<{ locked_by: string | null }>(
        `SELECT locked_by FROM graphile_worker.jobs WHERE task_identifier = 'inventory-sync' AND key = $1`,
        [`inventory-sync:${slowShop}`],
      );
      return rows[0]?.locked_by ?? null;
    }, 30_000, 100);
    const victim = [a, b].find((w) => poolOf(w.output()) === holder)!;
    const survivor = victim === a ? b : a;
    expect(victim).toBeDefined();

    const killedAt = Date.now();
    victim.child.kill("SIGKILL");
    await waitUntil(async () => (await successes()).some((r) => r.shop === slowShop && r.status === "SUCCESS"), 60_000, 100);
    const recoveryMs = Date.now() - killedAt;
    console.info(`[many-workers] ${SHOPS} shops, the SIGKILLed worker's job finished by the other ${recoveryMs} ms after the kill`);

    // Once each: one fan-out run, one successful sync per shop, no failures, nothing left queued or locked.
    const events = await successes();
    expect(events.filter((r) => r.status === "SUCCESS").map((r) => [r.shop, r.n]).sort()).toEqual(shops.map((s) => [s, 1]).sort());
    expect(events.filter((r) => r.status !== "SUCCESS")).toEqual([]);
    const fanOuts = (a.output() + b.output()).match(/Completed task \d+ \(schedule-inventory-syncs/g) ?? [];
    expect(fanOuts).toHaveLength(1);
    expect(survivor.output()).toMatch(/requeued 1 job\(s\) left locked by a worker that died/);
    const { rows: left } = await pgPool().query(
      `SELECT task_identifier, locked_by FROM graphile_worker.jobs WHERE task_identifier IN ('inventory-sync', 'schedule-inventory-syncs')`,
    );
    expect(left).toEqual([]);

    survivor.child.kill("SIGTERM");
    await survivor.exited;
  }, 120_000);
});
