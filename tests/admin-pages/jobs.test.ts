import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { enqueueShopJob, releaseWorkerUtils, workerUtils } from "../../app/jobs/queue.server";
import { TASK } from "../../app/jobs/task-names";
import { action, loader } from "../../app/routes/admin.jobs";
import { adminGet, adminPost, createAdmin, responseOf, routeArgs, signIn } from "../support/admin";
import { queuedJobs, runDueJobs } from "../support/jobs";

// The jobs page against real graphile-worker rows: a pending job, a running one (locked as a worker locks it) and
// one that failed for good (run once by graphile-worker with a task that throws).

const SHOP_A = "jobs-a.myshopify.com";
const SHOP_B = "jobs-b.myshopify.com";

let operator: { cookie: string; csrfToken: string };
let viewer: { cookie: string; csrfToken: string };
let ids: { pending: string; running: string; failed: string };

interface ListedJob {
  id: string;
  task: string;
  shop: string | null;
  state: string;
  attempt: number;
  maxAttempts: number;
  lastError: string | null;
}

async function load(search = "") {
  const response = await responseOf(() => loader(routeArgs(adminGet(`/admin/jobs${search}`, operator.cookie))));
  return (await response.json()) as { jobs: ListedJob[]; counts: Array<{ task: string; pending: number; running: number; failed: number }> };
}

async function act(fields: Record<string, string>, who = operator, csrf = who.csrfToken) {
  return responseOf(() => action(routeArgs(adminPost("/admin/jobs", who.cookie, fields, csrf))));
}

async function jobRow(id: string) {
  const { rows } = await pgPool().query("SELECT attempts, max_attempts, run_at, last_error FROM graphile_worker._private_jobs WHERE id = $1", [id]);
  return rows[0] as { attempts: number; max_attempts: number; run_at: Date; last_error: string | null } | undefined;
}

beforeAll(async () => {
  await createAdmin("ops@example.com", "OPERATOR");
  await createAdmin("viewer@example.com", "VIEWER");
  operator = await signIn("ops@example.com");
  viewer = await signIn("viewer@example.com");

  // Fails for good: graphile-worker runs it once (max_attempts 1) with a task that throws; its payload says it was
  // our third attempt, as defineTask's retries write it.
  await (await workerUtils()).addJob(
    TASK.productSync,
    { shop: SHOP_A, reason: "schedule", _retry: { attempt: 3, lastError: "Shopify said 500" } },
    { maxAttempts: 1 },
  );
  await runDueJobs({ [TASK.productSync]: async () => Promise.reject(new Error("bulk export failed")) });
  const later = new Date(Date.now() + 3_600_000);
  await enqueueShopJob(TASK.inventorySync, { shop: SHOP_A, reason: "schedule" }, { runAt: later });
  await enqueueShopJob(TASK.integrityCheck, { shop: SHOP_B, reason: "schedule" }, { runAt: later });
  const jobs = await queuedJobs();
  const byTask = (task: string) => jobs.find((j) => j.task_identifier === task)!.id;
  ids = { failed: byTask(TASK.productSync), pending: byTask(TASK.inventorySync), running: byTask(TASK.integrityCheck) };
  await pgPool().query("UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'worker-test' WHERE id = $1", [ids.running]);
});
afterAll(() => releaseWorkerUtils());

describe("/admin/jobs", () => {
  it("redirects to sign-in without the admin cookie", async () => {
    const response = await responseOf(() => loader(routeArgs(adminGet("/admin/jobs"))));
    expect(response.status).toBe(302);
  });

  it("lists jobs with their state, shop from the payload, our attempt number and counts by task", async () => {
    const { jobs, counts } = await load();
    const byId = Object.fromEntries(jobs.map((j) => [j.id, j]));
    expect(byId[ids.failed]).toMatchObject({ task: "product-sync", shop: SHOP_A, state: "failed", attempt: 3, maxAttempts: 3, lastError: "bulk export failed" });
    expect(byId[ids.pending]).toMatchObject({ task: "inventory-sync", shop: SHOP_A, state: "pending", attempt: 1 });
    expect(byId[ids.running]).toMatchObject({ task: "integrity-check", shop: SHOP_B, state: "running" });
    expect(counts).toEqual([
      { task: "integrity-check", pending: 0, running: 1, failed: 0 },
      { task: "inventory-sync", pending: 1, running: 0, failed: 0 },
      { task: "product-sync", pending: 0, running: 0, failed: 1 },
    ]);
  });

  it("filters by state, task and shop from the URL, and ignores garbage filters", async () => {
    expect((await load("?state=failed")).jobs.map((j) => j.id)).toEqual([ids.failed]);
    expect((await load("?task=inventory-sync")).jobs.map((j) => j.id)).toEqual([ids.pending]);
    expect((await load(`?shop=${SHOP_B}`)).jobs.map((j) => j.id)).toEqual([ids.running]);
    expect((await load("?state=exploded")).jobs).toHaveLength(3);
  });

  it("refuses viewers and forged tokens, and answers bad input with 400, unknown jobs with 404, running ones with 409", async () => {
    expect((await act({ intent: "retry", jobId: ids.failed }, viewer)).status).toBe(403);
    expect((await act({ intent: "retry", jobId: ids.failed }, operator, "nope")).status).toBe(403);
    expect((await act({ intent: "retry", jobId: "1; DROP TABLE x" })).status).toBe(400);
    expect((await act({ intent: "reboot", jobId: ids.failed })).status).toBe(400);
    expect((await act({ intent: "retry", jobId: "987654321" })).status).toBe(404);
    expect((await act({ intent: "retry", jobId: ids.running })).status).toBe(409);
    expect((await act({ intent: "dismiss", jobId: ids.pending })).status).toBe(409);
    expect((await jobRow(ids.failed))!.attempts).toBe(1);
  });

  it("retries a failed job now: attempts back to 0, due now, and it runs", async () => {
    const response = await act({ intent: "retry", jobId: ids.failed });
    expect(response.status).toBe(200);
    const row = (await jobRow(ids.failed))!;
    expect(row.attempts).toBe(0);
    expect(row.run_at.getTime()).toBeLessThanOrEqual(Date.now());
    expect((await load("?state=pending")).jobs.map((j) => j.id)).toContain(ids.failed);
    const ran: unknown[] = [];
    await runDueJobs({ [TASK.productSync]: async (payload) => void ran.push(payload) });
    expect(ran).toEqual([expect.objectContaining({ shop: SHOP_A })]);
    expect(await jobRow(ids.failed)).toBeUndefined();
    const recorded = await prisma.adminAction.findFirstOrThrow({ where: { action: "job-retry" } });
    expect(recorded).toMatchObject({ adminEmail: "ops@example.com", shop: SHOP_A });
  });

  it("gives up a pending job (it stays listed as failed, saying who) and dismisses it", async () => {
    expect((await act({ intent: "give-up", jobId: ids.pending })).status).toBe(200);
    const row = (await jobRow(ids.pending))!;
    expect(row.attempts).toBe(row.max_attempts);
    expect(row.last_error).toBe("Given up by ops@example.com");
    expect((await load("?state=failed")).jobs.map((j) => j.id)).toEqual([ids.pending]);

    expect((await act({ intent: "dismiss", jobId: ids.pending })).status).toBe(200);
    expect(await jobRow(ids.pending)).toBeUndefined();
  });
});
