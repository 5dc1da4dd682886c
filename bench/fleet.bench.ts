import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { releaseWorkerUtils } from "../app/jobs/queue.server";
import { fanOutShopJobs } from "../app/worker/fan-out.server";
import { TASK, type ShopSyncTask } from "../app/jobs/task-names";
import { env } from "../app/env.server";
import { freePort } from "../scripts/lib/scratch-server";
import { startEmulator, type RunningEmulator } from "../emulator";
import { openDedicatedDatabase, type DedicatedDatabase } from "./dedicated-database";
import type { BenchResult, BenchRunOptions } from "./run";
import { round } from "./timing";

// `npm run bench -- fleet`: how many shops one worker process carries. A fleet of emulated shops of typical size
// (BENCH_FLEET_VARIANTS, 200 variants on one location), installed and approved, goes through the real fan-outs and
// tasks, run by `npm run worker` processes (real child processes on one PostgreSQL, the Admin API over HTTP to the
// emulator): the daily inventory reconciliation (a full read of every level), the hourly inventory sync (a few
// changes an hour), the weekly integrity check and the daily product sync (bulk export, ingest: after a first
// import, the daily re-read of a catalog that changed a little). For each kind and number of processes: jobs/s,
// shops per hour per process, database time per shop (pg_stat_database.active_time) and the share of the kind's
// spread window (PRODUCT_SYNC_SPREAD_MINUTES ...) the whole fleet needs. The baseline, same run: the first number of
// processes (one); the ratio is what more processes add. Each run logs its progress every minute and its figures
// when it ends, with the machine's load average: a large fleet's run stopped early still yields its figures.
//
// Sizes: BENCH_FLEET_SHOPS ("1000,10000"), BENCH_FLEET_PROCESSES ("1,2"), BENCH_FLEET_VARIANTS (200),
// BENCH_FLEET_CONCURRENCY (WORKER_CONCURRENCY per process, 5). 10,000 shops hold 2 million variants in the
// emulator, which runs in this process: run with NODE_OPTIONS=--max-old-space-size=8192.

export const name = "fleet";
export const description =
  "shops per worker process: reconciliation, inventory, integrity and product runs over a fleet, 1 and 2 processes";

// The app's credentials: the emulator signs webhooks with the secret and the workers' Shopify library checks them.
const credentials = () => {
  process.env.SHOPIFY_API_KEY ||= "bench-fleet-key";
  process.env.SHOPIFY_API_SECRET ||= "bench-fleet-secret-0123456789";
  return { apiKey: process.env.SHOPIFY_API_KEY, apiSecret: process.env.SHOPIFY_API_SECRET };
};
/**
 * How long one run of a kind may take before the bench calls it stuck: an hour, or a second per shop for a larger
 * fleet (10,000 shops: 2.8 hours). The slowest rate measured at 1,000 shops, a first import at 4.5 shops/s on a
 * shared machine, is well above one shop a second, so a run this slow is broken, not merely slow.
 */
export const runTimeoutMs = (shops: number) => Math.max(60 * 60_000, shops * 1_000);
/** A run logs how far it got this often, so a run stopped halfway still gives its rate so far. */
const PROGRESS_EVERY_MS = 60_000;

export interface FleetBenchOptions extends Partial<BenchRunOptions> {
  shops?: number[];
  processes?: number[];
  variantsPerShop?: number;
  concurrency?: number;
  /** How often a run logs its progress (a minute). */
  progressEveryMs?: number;
}

const envList = (key: string, fallback: number[]) =>
  process.env[key] ? process.env[key]!.split(",").map(Number) : fallback;
const envNumber = (key: string, fallback: number) => (process.env[key] ? Number(process.env[key]) : fallback);

interface Kind {
  label: string;
  task: ShopSyncTask;
  /** Tasks whose jobs belong to one run of the kind (the product sync polls its export in a second task). */
  tasks: string[];
  eventType: string;
  windowMinutes: () => number;
}

const PRODUCT: Kind = {
  label: "product",
  task: TASK.productSync,
  tasks: [TASK.productSync, TASK.productExportCheck],
  eventType: "PRODUCT_SYNC",
  windowMinutes: () => env().PRODUCT_SYNC_SPREAD_MINUTES,
};

// The order they run in. The reconciliation first: after the first import, it is the full read every daily
// reconciliation is, and it leaves every shop a last sync for the hourly sync to start from (a few changes, not a
// second full read). The daily product sync, the longest, last, so that a large fleet's run stopped before the end
// (the log has each run's figures as it finishes) still has the others.
const KINDS: Kind[] = [
  {
    label: "reconciliation",
    task: TASK.inventoryReconcile,
    tasks: [TASK.inventoryReconcile],
    eventType: "INVENTORY_SYNC",
    windowMinutes: () => env().INVENTORY_RECONCILIATION_SPREAD_MINUTES,
  },
  {
    label: "inventory",
    task: TASK.inventorySync,
    tasks: [TASK.inventorySync],
    eventType: "INVENTORY_SYNC",
    windowMinutes: () => env().INVENTORY_SYNC_SPREAD_MINUTES,
  },
  {
    label: "integrity",
    task: TASK.integrityCheck,
    tasks: [TASK.integrityCheck],
    eventType: "DATA_INTEGRITY",
    windowMinutes: () => env().INTEGRITY_CHECK_SPREAD_MINUTES,
  },
  PRODUCT,
];

const shopDomain = (i: number) => `fleet-${String(i).padStart(6, "0")}.myshopify.com`;

async function seedFleet(database: DedicatedDatabase, emulator: RunningEmulator, shops: number, variants: number) {
  const sessions: unknown[][] = [];
  for (let i = 0; i < shops; i++) {
    const shop = shopDomain(i);
    const summary = emulator.control.createShop({ domain: shop, plan: "STANDARD", locations: 1 });
    emulator.control.seedProducts({ shop, products: Math.ceil(variants / 2), variantsPerProduct: 2, seed: i + 1 });
    sessions.push([`offline_${shop}`, shop, summary.accessToken]);
  }
  await database.pool.query(
    `INSERT INTO session (id, shop, state, is_online, scope, access_token)
     SELECT id, shop, '', false, 'read_products,read_inventory,read_locations', token FROM unnest($1::text[], $2::text[], $3::text[]) AS s(id, shop, token)`,
    [sessions.map((s) => s[0]), sessions.map((s) => s[1]), sessions.map((s) => s[2])],
  );
  await database.pool.query(
    `INSERT INTO merchant_connection (shop, merchant_id, approval_status, selection_mode, updated_at)
     SELECT shop, shop, 'APPROVED', 'ALL', now() FROM unnest($1::text[]) AS s(shop)`,
    [sessions.map((s) => s[1])],
  );
}

/** Some of the shops' stock and titles change between runs, as they would in an hour of trading. */
function liveAnHour(emulator: RunningEmulator, shops: number, round: number) {
  for (let i = 0; i < shops; i++) {
    const shop = shopDomain(i);
    const [product] = emulator.control.listProducts({ shop, limit: 1, offset: round % 50 });
    if (!product) continue;
    emulator.control.updateProduct({ shop, productId: product.legacyResourceId, title: `Edited in hour ${round}` });
    const variant = product.variants[0];
    emulator.control.setInventory({ shop, inventoryItemId: variant.inventoryItemId, available: (round * 7 + i) % 40 });
  }
}

async function startWorkers(count: number, databaseUrl: string, emulator: RunningEmulator, concurrency: number) {
  const workers: ChildProcess[] = [];
  for (let i = 0; i < count; i++) {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        SHOPIFY_API_KEY: credentials().apiKey,
        SHOPIFY_API_SECRET: credentials().apiSecret,
        SHOPIFY_APP_URL: "http://127.0.0.1:9",
        SHOPIFY_ADMIN_API_BASE: emulator.url,
        WORKER_CONCURRENCY: String(concurrency),
        WORKER_HTTP_PORT: String(await freePort()),
        // The crontab would queue its own runs while we measure ours.
        WORKER_CRON: "false",
      },
    });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (output.includes("[worker] running")) {
          clearInterval(timer);
          resolve();
        } else if (child.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`a worker exited while starting:\n${output.slice(-3000)}`));
        }
      }, 100);
    });
    workers.push(child);
  }
  return workers;
}

async function stopWorkers(workers: ChildProcess[]) {
  await Promise.all(
    workers.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        }),
    ),
  );
}

/**
 * The web process's part: Shopify announces a finished export with bulk_operations/finish, and the app's route turns
 * it into the export check (without it, every sync would wait for its first poll, 15 s later). The route's own
 * action runs here, behind a bare HTTP server.
 */
async function startWebhookReceiver(): Promise<{ url: string; server: Server }> {
  const { action } = await import("../app/routes/webhooks.bulk_operations.finish");
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", async () => {
      const headers = new Headers();
      for (const [key, value] of Object.entries(incoming.headers))
        if (typeof value === "string") headers.set(key, value);
      const request = new Request(`http://127.0.0.1${incoming.url}`, {
        method: incoming.method,
        headers,
        body: Buffer.concat(chunks),
      });
      const response = await action({ request, params: {}, context: {} }).catch((error: unknown) =>
        error instanceof Response ? error : new Response(String(error), { status: 500 }),
      );
      outgoing.writeHead(response.status).end(await response.text());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function activeMs(database: DedicatedDatabase): Promise<number> {
  const { rows } = await database.pool.query<{ ms: number }>(
    "SELECT active_time AS ms FROM pg_stat_database WHERE datname = current_database()",
  );
  return Number(rows[0].ms);
}

/**
 * Jobs of the run not done yet: waiting, or running. Every job is queued with max_attempts 1 (QUEUED_MAX_ATTEMPTS)
 * and graphile-worker counts the attempt when a worker takes the job, so a running job has attempts = max_attempts:
 * it is told from a job that failed for good by its lock. (Counting only attempts < max_attempts stopped the clock
 * when the last job started, before the last ingests ended.)
 */
async function pendingJobs(database: DedicatedDatabase, tasks: string[]): Promise<number> {
  const { rows } = await database.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM graphile_worker.jobs
      WHERE task_identifier = ANY($1) AND (attempts < max_attempts OR locked_at IS NOT NULL)`,
    [tasks],
  );
  return rows[0].n;
}

async function finishedRuns(database: DedicatedDatabase, kind: Kind, since: Date) {
  // A shop's run failed when its last event is a FAILURE: an attempt that failed (a token refresh refused while the
  // emulator is busy) and was retried to success is counted apart, as a failed attempt, not a failed run. levels:
  // what an inventory run read per shop (its event's metadata; none for the other kinds), which tells a full read
  // from a few changes.
  const { rows } = await database.pool.query<{
    done: number;
    failed: number;
    failed_attempts: number;
    levels: number | null;
  }>(
    `SELECT count(*)::int AS done, count(*) FILTER (WHERE last_status = 'FAILURE')::int AS failed,
            coalesce(sum(failures), 0)::int AS failed_attempts, avg(levels)::float AS levels
       FROM (SELECT shop, (array_agg(status ORDER BY created_at DESC, id DESC))[1] AS last_status,
                    count(*) FILTER (WHERE status = 'FAILURE') AS failures, avg((metadata->>'levels')::int) AS levels
               FROM sync_event WHERE event_type = $1 AND created_at >= $2 GROUP BY shop) AS per_shop`,
    [kind.eventType, since],
  );
  return { ...rows[0], failedAttempts: rows[0].failed_attempts };
}

/** The machine's 1-minute load average, lowest and highest seen while runs were measured (the figures' context). */
const load = { min: Number.POSITIVE_INFINITY, max: 0 };
function sampleLoad(): number {
  const [oneMinute] = os.loadavg();
  load.min = Math.min(load.min, oneMinute);
  load.max = Math.max(load.max, oneMinute);
  return round(oneMinute);
}

interface Measured {
  seconds: number;
  jobsPerSecond: number;
  shopsPerHourPerProcess: number;
  dbMsPerShop: number;
  windowShare: number;
  failed: number;
  /** Attempts that failed, whether a retry then succeeded or not. */
  failedAttempts: number;
  levelsPerShop: number | null;
}

interface MeasureOptions {
  log: (line: string) => void;
  progressEveryMs: number;
  label?: string;
}

/**
 * One run of a kind over the whole fleet by the running workers: all shops due at once, timed until none is left.
 * Logs its progress every minute and its figures when it ends, so a long run stopped halfway still has a rate.
 */
async function measure(
  database: DedicatedDatabase,
  kind: Kind,
  shops: number,
  processes: number,
  { log, progressEveryMs, label = `${shops} ${kind.label}, ${processes} proc` }: MeasureOptions,
): Promise<Measured> {
  // Backends flush their statistics (active_time) within a second of going idle: start from a settled count.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const activeBefore = await activeMs(database);
  const since = new Date();
  const started = performance.now();
  const timeoutMs = runTimeoutMs(shops);
  let progressAt = started + progressEveryMs;
  log(`${label}: started (load average ${sampleLoad()})`);
  await fanOutShopJobs({ task: kind.task, firedAt: since, windowMs: 1 });
  while ((await pendingJobs(database, kind.tasks)) > 0) {
    const elapsed = performance.now() - started;
    if (elapsed > timeoutMs) throw new Error(`${label}: the run did not finish in ${round(timeoutMs / 60_000)} min`);
    if (performance.now() >= progressAt) {
      progressAt += progressEveryMs;
      const { done, failedAttempts } = await finishedRuns(database, kind, since);
      log(
        `${label}: ${done} of ${shops} shops in ${Math.round(elapsed / 1000)} s, ${round(done / (elapsed / 1000))} shops/s so far, ${failedAttempts} failed attempts (load average ${sampleLoad()})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const seconds = (performance.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const dbMs = (await activeMs(database)) - activeBefore;
  const { failed, failedAttempts, levels } = await finishedRuns(database, kind, since);
  const jobsPerSecond = shops / seconds;
  const result = {
    seconds,
    jobsPerSecond,
    shopsPerHourPerProcess: (jobsPerSecond * 3600) / processes,
    dbMsPerShop: dbMs / shops,
    windowShare: seconds / (kind.windowMinutes() * 60),
    failed,
    failedAttempts,
    levelsPerShop: levels,
  };
  log(
    `${label}: done in ${round(seconds)} s: ${round(jobsPerSecond)} shops/s, ${Math.round(result.shopsPerHourPerProcess)} shops/h/proc, ${round(result.dbMsPerShop)} db ms/shop, ${round(result.windowShare * 100)}% of ${kind.windowMinutes()} min, ${levels === null ? "" : `${round(levels)} levels read/shop, `}${failed} failed runs, ${failedAttempts} failed attempts (load average ${sampleLoad()})`,
  );
  return result;
}

export async function run(options: FleetBenchOptions = {}): Promise<BenchResult> {
  const fleetSizes = options.shops ?? envList("BENCH_FLEET_SHOPS", [1_000, 10_000]);
  const processCounts = options.processes ?? envList("BENCH_FLEET_PROCESSES", [1, 2]);
  const variants = options.variantsPerShop ?? envNumber("BENCH_FLEET_VARIANTS", 200);
  const concurrency = options.concurrency ?? envNumber("BENCH_FLEET_CONCURRENCY", 5);
  const log = options.log ?? (() => undefined);
  const progressEveryMs = options.progressEveryMs ?? PROGRESS_EVERY_MS;
  load.min = Number.POSITIVE_INFINITY;
  load.max = 0;

  const figures: Record<string, number | string> = {};
  const baseline: Record<string, number | string> = {};
  let worstOneProcessShare = 0;
  let speedups: number[] = [];
  let failures = 0;
  let failedAttempts = 0;

  for (const shops of fleetSizes) {
    const database = await openDedicatedDatabase(`fleet_${shops}`, log);
    const receiver = await startWebhookReceiver();
    const emulator = await startEmulator({
      port: 0,
      ...credentials(),
      appUrl: receiver.url,
      bulkTiming: { startDelayMs: 20, minRunningMs: 100 },
    });
    try {
      log(`${shops} shops x ${variants} variants: seeding`);
      const seedingStarted = performance.now();
      await seedFleet(database, emulator, shops, variants);
      log(
        `${shops} shops: seeded in ${round((performance.now() - seedingStarted) / 1000)} s, bench process heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB`,
      );
      const results = new Map<string, Awaited<ReturnType<typeof measure>>>();
      let hour = 0;
      for (const processes of processCounts) {
        const workers = await startWorkers(processes, database.url, emulator, concurrency);
        try {
          if (processes === processCounts[0]) {
            // The first product sync imports every catalog: once per shop, so reported on its own.
            const first = await measure(database, PRODUCT, shops, processes, {
              log,
              progressEveryMs,
              label: `${shops} first import, ${processes} proc`,
            });
            figures[`${shops} shops: first import, ${processes} proc, shops/s`] = round(first.jobsPerSecond);
            figures[`${shops} shops: first import, ${processes} proc, db ms/shop`] = round(first.dbMsPerShop);
            failures += first.failed;
            failedAttempts += first.failedAttempts;
          }
          for (const kind of KINDS) {
            liveAnHour(emulator, shops, ++hour);
            const result = await measure(database, kind, shops, processes, { log, progressEveryMs });
            results.set(`${kind.label}:${processes}`, result);
            failures += result.failed;
            failedAttempts += result.failedAttempts;
            const target = processes === processCounts[0] ? baseline : figures;
            const prefix = `${shops} ${kind.label}, ${processes} proc`;
            target[`${prefix}: jobs/s`] = round(result.jobsPerSecond);
            target[`${prefix}: shops/h/proc`] = Math.round(result.shopsPerHourPerProcess);
            target[`${prefix}: db ms/shop`] = round(result.dbMsPerShop);
            target[`${prefix}: window used`] = `${round(result.windowShare * 100)}% of ${kind.windowMinutes()} min`;
            if (result.levelsPerShop !== null) target[`${prefix}: levels read/shop`] = round(result.levelsPerShop);
          }
        } finally {
          await stopWorkers(workers);
        }
      }
      for (const kind of KINDS) {
        const one = results.get(`${kind.label}:${processCounts[0]}`)!;
        // Scaled to the largest fleet: the share that fleet would need of the window with this many processes.
        worstOneProcessShare = Math.max(worstOneProcessShare, one.windowShare * (Math.max(...fleetSizes) / shops));
        const last = results.get(`${kind.label}:${processCounts.at(-1)}`)!;
        if (processCounts.length > 1) speedups.push(last.jobsPerSecond / one.jobsPerSecond);
      }
    } finally {
      await emulator.stop();
      await new Promise((resolve) => receiver.server.close(resolve));
      await releaseWorkerUtils();
      await database.close();
    }
  }
  speedups = speedups.filter(Number.isFinite);
  figures["failed runs"] = failures;
  figures["failed attempts (retried; a run whose last attempt failed is a failed run)"] = failedAttempts;
  if (load.max > 0) figures["load average (1 min) during the runs"] = `${round(load.min)}-${round(load.max)}`;
  return {
    figures,
    baseline,
    ratio: speedups.length ? round(Math.min(...speedups)) : undefined,
    goal: `every kind's run over ${Math.max(...fleetSizes).toLocaleString("en-US")} shops fits its spread window with one process, no failed run`,
    met: worstOneProcessShare < 1 && failures === 0,
  };
}
