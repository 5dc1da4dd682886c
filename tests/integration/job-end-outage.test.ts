import { spawn } from "node:child_process";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { freePort } from "../../scripts/lib/scratch-server";
import { startRestartablePostgres } from "../support/restartable-postgres";

// A job that ends while PostgreSQL is down (its server stopped, so every connection is refused: ECONNREFUSED, not
// the 57P03 of a server shutting down or starting up). graphile-worker 0.18 marks a job complete or failed without
// awaiting it (dist/worker.js calls completeJob/failJob and moves on); its retries (dist/lib.js withRetries) skip a
// refused connection, so that rejection went unhandled and Node ended the worker process: the app, when the worker
// runs in-process. The worker runs here in a process of its own (tests/support/gated-worker.ts) so that a crash is
// an exit code. Its job waits on the test's gate (an HTTP answer held until the database is stopped), then ends.
// What must hold: the process lives on, /healthz answers 503 while the database is down and 200 after; the job ends
// once the database is back: completed exactly once (not re-run), or, when its run failed, its next attempt queued
// and run (defineTask's own requeue meets the outage too), never left failed.

const GATED_TASK = "test-gated"; // the test's task, as tests/support/gated-worker.ts names it
const database = await startRestartablePostgres("job-end-outage");
const probePort = await freePort();

/** The test's gate: records every run's request; the next one is held (until `release`) when `holdNext` says so. */
const arrivals: string[] = [];
let holding = false;
let held: ServerResponse | undefined;
const gate = createServer((request, reply) => {
  arrivals.push(request.url ?? "");
  if (holding) {
    holding = false;
    held = reply;
  } else reply.end("ok");
});
await new Promise<void>((resolve) => gate.listen(0, "127.0.0.1", resolve));
const gateUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}`;

interface GatedWorker {
  output(): string;
  exitCode(): number | null;
  stop(): Promise<void>;
}

/** Starts tests/support/gated-worker.ts in a process of its own; resolves once it takes jobs. */
async function startGatedWorker(): Promise<GatedWorker> {
  let output = "";
  const child = spawn(process.execPath, ["--import", "tsx", "tests/support/gated-worker.ts"], {
    env: { ...process.env, DATABASE_URL: database.url, GATE_URL: gateUrl, WORKER_HTTP_PORT: String(probePort) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await vi.waitUntil(() => /\[gated-worker\] ready/.test(output) || child.exitCode !== null, {
    timeout: 60_000,
    interval: 100,
  });
  return {
    output: () => output,
    exitCode: () => child.exitCode,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

let worker: GatedWorker | undefined;

const db = () => new pg.Client({ connectionString: database.url });
async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = db();
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** The process's /healthz status; 0 when nothing answers (the process is gone). */
const health = () =>
  fetch(`http://127.0.0.1:${probePort}/healthz`).then(
    (response) => response.status,
    () => 0,
  );

/** The test's jobs of one label left in graphile-worker's queue (pending, running, or failed for good). */
const queued = (label: string) => () =>
  sql<{ id: string; attempts: number; last_error: string | null; locked_by: string | null }>(
    `SELECT j.id::text, j.attempts, j.last_error, j.locked_by FROM graphile_worker._private_jobs j
       JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE t.identifier = $1 AND j.payload->>'label' = $2`,
    [GATED_TASK, label],
  );

beforeEach(async () => {
  await database.start();
  worker = await startGatedWorker();
}, 90_000);
afterEach(async (context) => {
  held?.end("ok");
  held = undefined;
  // What the process printed, when the test failed (a crash: its unhandled rejection).
  if (context.task.result?.state === "fail") console.error(worker?.output().slice(-4_000));
  await worker?.stop();
});
afterAll(async () => {
  gate.close();
  await database.remove();
});

/** Queues a gated job whose run is held at the gate, and waits until it is running. */
async function startHeldJob(label: string): Promise<void> {
  holding = true;
  await sql(
    "SELECT id::text FROM graphile_worker.add_job($1, json_build_object('label', $2::text), max_attempts => 1)",
    [GATED_TASK, label],
  );
  await expect.poll(() => arrivals, { timeout: 15_000, interval: 50 }).toContain(`/${label}/attempt-1`);
}

/** The database goes down while the job waits; once it is down, the gate answers and the job ends. */
async function endJobDuringOutage(label: string, answer: "ok" | "fail"): Promise<void> {
  await database.stop(); // resolves once the server process has exited: connections are refused from now on
  held!.end(answer);
  held = undefined;
  await expect
    .poll(() => worker!.output(), { timeout: 15_000, interval: 50 })
    .toContain(`[gated-worker] ${label} attempt 1 ends: ${answer}`);
  await expect.poll(health, { timeout: 15_000, interval: 100 }).toBe(503);
  await database.start();
  await expect.poll(health, { timeout: 30_000, interval: 100 }).toBe(200);
}

describe("a job that ends while PostgreSQL is down", () => {
  it("is completed once the database is back, exactly once, and the worker process lives on", async () => {
    await startHeldJob("completes");
    await endJobDuringOutage("completes", "ok");

    await expect.poll(queued("completes"), { timeout: 60_000, interval: 200 }).toEqual([]);
    expect(arrivals.filter((url) => url.startsWith("/completes/"))).toEqual(["/completes/attempt-1"]);
    expect(worker!.exitCode()).toBeNull();
  }, 120_000);

  it("a run that fails has its next attempt queued once the database is back (not failed for good), and run", async () => {
    await startHeldJob("fails-once");
    await endJobDuringOutage("fails-once", "fail");

    await expect.poll(queued("fails-once"), { timeout: 60_000, interval: 200 }).toEqual([]);
    expect(arrivals.filter((url) => url.startsWith("/fails-once/"))).toEqual([
      "/fails-once/attempt-1",
      "/fails-once/attempt-2",
    ]);
    expect(worker!.exitCode()).toBeNull();
  }, 120_000);

  it("a next attempt whose queueing loses its connection is queued again (not failed for good), and run", async () => {
    // Not an outage: the database answers, but the connection queueing the next attempt is cut mid-statement (its
    // INSERT waits on a table lock the test holds; the test terminates its backend, as a failover or a restart of a
    // proxy would).
    await startHeldJob("requeue-cut");
    const blocker = db();
    await blocker.connect();
    await blocker.query("BEGIN");
    await blocker.query("LOCK TABLE graphile_worker._private_jobs IN SHARE MODE");
    held!.end("fail");
    held = undefined;
    const waiting = async () =>
      (
        await blocker.query<{ pid: number }>(
          `SELECT pid FROM pg_locks WHERE NOT granted AND relation = 'graphile_worker._private_jobs'::regclass`,
        )
      ).rows.map((r) => r.pid);
    await expect.poll(waiting, { timeout: 15_000, interval: 50 }).toHaveLength(1);
    await blocker.query("SELECT pg_terminate_backend($1)", [(await waiting())[0]]);
    await blocker.query("COMMIT");
    await blocker.end();

    await expect.poll(queued("requeue-cut"), { timeout: 60_000, interval: 200 }).toEqual([]);
    expect(arrivals.filter((url) => url.startsWith("/requeue-cut/"))).toEqual([
      "/requeue-cut/attempt-1",
      "/requeue-cut/attempt-2",
    ]);
    expect(worker!.exitCode()).toBeNull();
  }, 120_000);

  it("a job whose own connection was cut is completed on a new one, not on the dead one", async () => {
    // The cut connection goes back to the pool before its socket's end is read (pg-pool sees only the FATAL message
    // first): the job's completion must not be handed it.
    await startHeldJob("own-connection-cut");
    held!.end("cut");
    held = undefined;
    const sleeping = async () =>
      (
        await sql<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE query LIKE '%gated_sleep%' AND pid <> pg_backend_pid()",
        )
      ).map((r) => r.pid);
    await expect.poll(sleeping, { timeout: 15_000, interval: 50 }).toHaveLength(1);
    await sql("SELECT pg_terminate_backend($1)", [(await sleeping())[0]]);
    await expect
      .poll(() => worker!.output(), { timeout: 15_000, interval: 50 })
      .toContain("[gated-worker] own-connection-cut attempt 1 ends: cut");

    await expect.poll(queued("own-connection-cut"), { timeout: 60_000, interval: 200 }).toEqual([]);
    expect(await health()).toBe(200);
    expect(arrivals.filter((url) => url.startsWith("/own-connection-cut/"))).toEqual(["/own-connection-cut/attempt-1"]);
    expect(worker!.exitCode()).toBeNull();
  }, 120_000);
});
