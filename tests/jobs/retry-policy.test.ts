import { beforeEach, describe, expect, it } from "vitest";
import { pgPool } from "../../app/db.server";
import { BUSY_RETRY_DELAY_MS, defineTask, PermanentJobError } from "../../app/worker/define-task.server";
import { enqueue, workerUtils } from "../../app/jobs/queue.server";
import { retryDelayMs } from "../../app/jobs/retry-policy";
import { shopJobOptions, shopJobPayload } from "../../app/jobs/shop-jobs";
import { TASKS } from "../../app/worker/task-list.server";
import { TASK } from "../../app/jobs/task-names";
import { queuedJobs, runDueJobs } from "../support/jobs";

// The clock that dates retries: fixed, and ahead of the database's clock so that a retry is never due by itself.
const NOW = Date.now() + 60_000;
const SHOP = "flaky.myshopify.com";

beforeEach(async () => {
  await pgPool().query("DELETE FROM graphile_worker._private_jobs");
});

/** Moves every pending job's time to now: time passing, without waiting for it. */
async function makeAllDue() {
  const jobs = await queuedJobs();
  const utils = await workerUtils();
  await utils.rescheduleJobs(
    jobs.map((j) => j.id),
    { runAt: new Date(Date.now() - 1000) },
  );
}

function alwaysFailing(task: typeof TASK.productSync | typeof TASK.inventorySync | typeof TASK.integrityCheck) {
  const attempts: number[] = [];
  const gaveUp: string[] = [];
  const definition = defineTask({
    name: task,
    payload: shopJobPayload,
    retry: TASKS[task].definition.retry, // the real task's policy
    now: () => NOW,
    async run(_payload, { attempt }) {
      attempts.push(attempt);
      throw new Error(`Shopify answered 502 (attempt ${attempt})`);
    },
    async onGaveUp(payload, error) {
      gaveUp.push(`${payload.shop}: ${(error as Error).message}`);
    },
  });
  return { taskList: { [task]: definition }, attempts, gaveUp };
}

describe("the retry policy", () => {
  // The plan's numbers: product sync 3 attempts from 60 s, inventory 3 from 30 s, integrity 2 from 60 s.
  it.each([
    [TASK.productSync, [60_000, 120_000], 3],
    [TASK.inventorySync, [30_000, 60_000], 3],
    [TASK.integrityCheck, [60_000], 2],
  ] as const)(
    "retries %s after %j, then gives up once after %i attempts",
    async (task, expectedDelays, maxAttempts) => {
      const { taskList, attempts, gaveUp } = alwaysFailing(task);
      await enqueue(task, { shop: SHOP, reason: "schedule" }, shopJobOptions(task, SHOP));

      const delays: number[] = [];
      for (let i = 0; i < expectedDelays.length; i++) {
        await runDueJobs(taskList);
        const [next] = await queuedJobs(task);
        expect(next.payload._retry).toMatchObject({
          attempt: i + 2,
          lastError: `Shopify answered 502 (attempt ${i + 1})`,
        });
        expect(next.key).toBe(`${task}:${SHOP}`);
        delays.push(next.run_at.getTime() - NOW);
        await makeAllDue();
      }
      await runDueJobs(taskList);

      expect(delays).toEqual(expectedDelays);
      expect(attempts).toEqual(Array.from({ length: maxAttempts }, (_, i) => i + 1));
      expect(gaveUp).toEqual([`${SHOP}: Shopify answered 502 (attempt ${maxAttempts})`]);
      // Given up: the job stays as failed (what the jobs page lists) and is not run again.
      const [failed] = await queuedJobs(task);
      expect(failed.attempts).toBe(failed.max_attempts);
      expect(failed.last_error).toContain("Shopify answered 502");
      await makeAllDue();
      await runDueJobs(taskList);
      expect(attempts).toHaveLength(maxAttempts);
    },
  );

  it("doubles from the first delay", () => {
    expect([1, 2, 3].map((n) => retryDelayMs({ maxAttempts: 3, firstDelayMs: 60_000 }, n))).toEqual([
      60_000, 120_000, 240_000,
    ]);
  });

  it("fails a job with a malformed payload at once and for good, with a message naming the problem", async () => {
    let ran = 0;
    const gaveUp: unknown[] = [];
    const taskList = {
      [TASK.productSync]: defineTask({
        name: TASK.productSync,
        payload: shopJobPayload,
        async run() {
          ran++;
        },
        async onGaveUp(_payload, error) {
          gaveUp.push(error);
        },
      }),
    };
    await enqueue(TASK.productSync, { shop: "not a shop domain" });
    await runDueJobs(taskList);

    expect(ran).toBe(0);
    const jobs = await queuedJobs(TASK.productSync);
    expect(jobs).toHaveLength(1);
    expect(jobs[0].attempts).toBe(1);
    expect(jobs[0].last_error).toMatch(/Invalid payload for task product-sync: shop: must be a myshopify.com domain/);
    expect(gaveUp).toEqual([]); // onGaveUp needs a valid payload; a malformed job only fails
  });

  it("does not retry a permanent error (a revoked token), and reports it once", async () => {
    const gaveUp: string[] = [];
    let runs = 0;
    const taskList = {
      [TASK.inventorySync]: defineTask({
        name: TASK.inventorySync,
        payload: shopJobPayload,
        async run() {
          runs++;
          throw new PermanentJobError("access token revoked");
        },
        async onGaveUp(payload) {
          gaveUp.push(payload.shop);
        },
      }),
    };
    await enqueue(TASK.inventorySync, { shop: SHOP, reason: "manual" }, shopJobOptions(TASK.inventorySync, SHOP));
    await runDueJobs(taskList);
    await makeAllDue();
    await runDueJobs(taskList);
    expect(runs).toBe(1);
    expect(gaveUp).toEqual([SHOP]);
    const [failed] = await queuedJobs(TASK.inventorySync);
    expect(failed.last_error).toBe("access token revoked");
  });
});

describe("exclusive runs", () => {
  it("steps back while another run holds the key, without spending an attempt, and runs once it is free", async () => {
    const runs: number[] = [];
    const taskList = {
      [TASK.productSync]: defineTask({
        name: TASK.productSync,
        payload: shopJobPayload,
        now: () => NOW,
        exclusiveKey: (payload) => `product-sync:${payload.shop}`,
        async run(_payload, { attempt }) {
          runs.push(attempt);
        },
      }),
    };
    // Another run of the same shop and kind holds the lock (as a running job would, from its own connection).
    const other = await pgPool().connect();
    await other.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [
      `marketplace-sync.job:product-sync:${SHOP}`,
    ]);
    try {
      await enqueue(TASK.productSync, { shop: SHOP, reason: "manual" }, shopJobOptions(TASK.productSync, SHOP));
      await runDueJobs(taskList);
      expect(runs).toEqual([]);
      const [waiting] = await queuedJobs(TASK.productSync);
      expect(waiting.run_at.getTime()).toBe(NOW + BUSY_RETRY_DELAY_MS);
      expect(waiting.payload._retry).toBeUndefined();
    } finally {
      await other.query("SELECT pg_advisory_unlock_all()");
      other.release();
    }
    await makeAllDue();
    await runDueJobs(taskList);
    expect(runs).toEqual([1]);
    expect(await queuedJobs(TASK.productSync)).toEqual([]);
  });
});
