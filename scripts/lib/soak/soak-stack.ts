import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, createWriteStream, mkdtempSync, rmSync, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Logger, runMigrations as runWorkerMigrations } from "graphile-worker";
import { shopifyRetryDelaysMs, type RunningEmulator } from "../../../emulator";
import { startEmbeddedPostgres, type RunningDatabase } from "../../../app/database/embedded-postgres.server";
import { applyMigrations } from "../../../app/database/migrations.server";
import { resetEnvCache } from "../../../app/env.server";
import { startDemoStack, type DemoStack } from "../demo-stack";
import { freePort } from "../scratch-server";

// What the soak runs on, each piece real and separate: a PostgreSQL of its own (in a temporary folder, so it can be
// restarted on its data and port, as tests/integration/database-restart.test.ts does), the Shopify emulator in this
// process, the app (`scripts/serve.ts`, WORKER_IN_PROCESS=false: it runs no jobs) and two `npm run worker`
// processes, every one of them with the compressed schedules. Their output goes to log files in the output folder.

export const SOAK_API_KEY = "soak-api-key";
export const SOAK_API_SECRET = "soak-api-secret-0123456789";
const DATABASE_NAME = "soak";

export interface SoakWorker {
  name: string;
  child: ChildProcess;
  exited: Promise<unknown>;
}

export interface SoakStack {
  databaseUrl: string;
  emulator: RunningEmulator;
  appUrl: string;
  workers: SoakWorker[];
  /** Worker processes that exited on their own (not the soak's SIGKILL), each replaced as a supervisor would. */
  crashes: Array<{ name: string; code: number | null; signal: string | null; at: number }>;
  /** Stops PostgreSQL (a fast shutdown: every session cut), waits, starts it again on the same data and port. */
  restartDatabase(downMs: number): Promise<void>;
  /** SIGKILLs a worker process (no shutdown of any kind) and, after `restartAfterMs`, starts a new one in its place. */
  killWorker(index: number, restartAfterMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startSoakStack(options: {
  outputDir: string;
  scheduleTimeScale: number;
  build?: string;
  log: (line: string) => void;
}): Promise<SoakStack> {
  const dir = mkdtempSync(path.join(tmpdir(), "marketplace-sync-soak-"));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as `postgres`, which must enter the folder
  const port = await freePort();
  const startDatabase = () => startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port, database: DATABASE_NAME });
  options.log(`starting PostgreSQL on port ${port}`);
  let database: RunningDatabase = await startDatabase();
  // This process queries the database too (the truth comparison, the cycle's jobs): its pools are made on first use.
  process.env.DATABASE_URL = database.url;
  resetEnvCache();
  await applyMigrations(database.url);
  await runWorkerMigrations({ connectionString: database.url, logger: new Logger(() => () => undefined) });

  const logs: WriteStream[] = [];
  const logFile = (name: string) => {
    const stream = createWriteStream(path.join(options.outputDir, `${name}.log`), { flags: "a" });
    logs.push(stream);
    return stream;
  };
  // Every process runs the same compressed crontab and spreads; each worker sweeps for dead workers often, so a
  // SIGKILLed one's jobs come back within seconds rather than a minute.
  const shared = {
    SCHEDULE_TIME_SCALE: String(options.scheduleTimeScale),
    WORKER_SWEEP_INTERVAL_SECONDS: "5",
    LOG_FORMAT: "json",
  };

  options.log("starting the emulator and the app");
  const appLog = logFile("app");
  const app: DemoStack = await startDemoStack({
    databaseUrl: database.url,
    apiKey: SOAK_API_KEY,
    apiSecret: SOAK_API_SECRET,
    build: options.build,
    demoShops: false,
    worker: false,
    healthTimeoutMs: 180_000,
    env: shared,
    // Shopify's retries (8 over 4 hours) compressed like the schedules: at 60, 4 minutes. The 5 s timeout is not:
    // the app answers in real time.
    webhookDelivery: { retryDelaysMs: shopifyRetryDelaysMs(options.scheduleTimeScale) },
    onOutput: (chunk) => appLog.write(chunk),
  });

  const workers: SoakWorker[] = [];
  const crashes: SoakStack["crashes"] = [];
  const killedBySoak = new Set<ChildProcess>();
  let stopping = false;
  let started = 0;
  async function startWorkerProcess(): Promise<SoakWorker> {
    const name = `worker-${++started}`;
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
      env: {
        ...process.env,
        ...shared,
        NODE_ENV: options.build ? "production" : "development",
        ...(options.build
          ? {
              METRICS_TOKEN: "soak-metrics-token-0123456789",
              ADMIN_SESSION_SECRET: "soak-admin-session-secret-0123456789abcdef",
            }
          : {}),
        DATABASE_URL: database.url,
        SHOPIFY_API_KEY: SOAK_API_KEY,
        SHOPIFY_API_SECRET: SOAK_API_SECRET,
        SHOPIFY_APP_URL: app.appUrl,
        SHOPIFY_ADMIN_API_BASE: app.emulator.url,
        WORKER_IN_PROCESS: "false",
        WORKER_CONCURRENCY: "4",
        WORKER_HTTP_PORT: String(await freePort()),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const log = logFile(name);
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    const worker = { name, child, exited: new Promise((resolve) => child.once("exit", resolve)) };
    // A worker that exits on its own (a crash, or a start while the database is down) is recorded and replaced, as
    // a process supervisor would: the report shows it, the soak goes on with two workers.
    child.once("exit", (code, signal) => {
      if (stopping || killedBySoak.has(child)) return;
      crashes.push({ name, code, signal, at: Date.now() });
      options.log(`${name} exited on its own (code ${code}, signal ${signal}); starting another in 2 s`);
      setTimeout(() => {
        if (stopping) return;
        void startWorkerProcess().then((replacement) => {
          const index = workers.indexOf(worker);
          if (index >= 0) workers[index] = replacement;
        });
      }, 2_000);
    });
    return worker;
  }
  options.log("starting two worker processes");
  workers.push(await startWorkerProcess(), await startWorkerProcess());

  return {
    databaseUrl: database.url,
    emulator: app.emulator,
    appUrl: app.appUrl,
    workers,
    crashes,
    async restartDatabase(downMs) {
      await database.stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      database = await startDatabase();
    },
    async killWorker(index, restartAfterMs) {
      const victim = workers[index];
      killedBySoak.add(victim.child);
      victim.child.kill("SIGKILL");
      await victim.exited;
      await new Promise((resolve) => setTimeout(resolve, restartAfterMs));
      workers[index] = await startWorkerProcess();
    },
    async stop() {
      stopping = true;
      for (const worker of workers)
        if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGTERM");
      const killer = setTimeout(() => workers.forEach((w) => w.child.kill("SIGKILL")), 15_000);
      await Promise.all(workers.map((w) => w.exited));
      clearTimeout(killer);
      await app.stop();
      for (const stream of logs) stream.end();
      await database.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
