import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobsUrl } from "../../app/components/admin/JobsPage";
import { pgPool, prisma } from "../../app/db.server";
import { PAGE_SIZE } from "../../app/worker/job-inspection.server";
import { enqueue, releaseWorkerUtils } from "../../app/jobs/queue.server";
import { shopJobOptions } from "../../app/jobs/shop-jobs";
import { TASK } from "../../app/jobs/task-names";
import { action, loader } from "../../app/routes/admin.jobs";
import type { KeysetCursor } from "../../app/lib/keyset-cursor";
import { adminGet, adminPost, createAdmin, responseOf, routeArgs, signIn } from "../support/admin";
import { loadListPage, walkPages } from "../support/keyset-pages";
import { queuedJobs, runDueJobs } from "../support/jobs";

// The jobs page against real graphile-worker rows: a pending job, a running one (locked as a worker locks it) and
// one that failed for good (run once by graphile-worker with a task that throws); then keyset pages of 50 over
// many more, followed through the page's own links.

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
  return (await response.json()) as {
    jobs: ListedJob[];
    counts: Array<{ task: string; pending: number; running: number; failed: number }>;
  };
}

async function act(fields: Record<string, string>, who = operator, csrf = who.csrfToken) {
  return responseOf(() => action(routeArgs(adminPost("/admin/jobs", who.cookie, fields, csrf))));
}

async function jobRow(id: string) {
  return (await queuedJobs()).find((job) => job.id === id);
}

beforeAll(async () => {
  await createAdmin("ops@example.com", "OPERATOR");
  await createAdmin("viewer@example.com", "VIEWER");
  operator = await signIn("ops@example.com");
  viewer = await signIn("viewer@example.com");

  // Fails for good: graphile-worker runs it once (max_attempts 1) with a task that throws; its payload says it was
  // our third attempt, as defineTask's retries write it.
  await enqueue(TASK.productSync, {
    shop: SHOP_A,
    reason: "schedule",
    _retry: { attempt: 3, lastError: "Shopify said 500" },
  });
  await runDueJobs({ [TASK.productSync]: async () => Promise.reject(new Error("bulk export failed")) });
  const later = new Date(Date.now() + 3_600_000);
  await enqueue(
    TASK.inventorySync,
    { shop: SHOP_A, reason: "schedule" },
    { ...shopJobOptions(TASK.inventorySync, SHOP_A), runAt: later },
  );
  await enqueue(
    TASK.integrityCheck,
    { shop: SHOP_B, reason: "schedule" },
    { ...shopJobOptions(TASK.integrityCheck, SHOP_B), runAt: later },
  );
  const jobs = await queuedJobs();
  const byTask = (task: string) => jobs.find((j) => j.task_identifier === task)!.id;
  ids = { failed: byTask(TASK.productSync), pending: byTask(TASK.inventorySync), running: byTask(TASK.integrityCheck) };
  await pgPool().query(
    "UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'worker-test' WHERE id = $1",
    [ids.running],
  );
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
    expect(byId[ids.failed]).toMatchObject({
      task: "product-sync",
      shop: SHOP_A,
      state: "failed",
      attempt: 3,
      maxAttempts: 3,
      lastError: "bulk export failed",
    });
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

describe("/admin/jobs: pages", () => {
  type Filters = Parameters<typeof jobsUrl>[0];
  interface JobsPageData {
    jobs: ListedJob[];
    counts: Array<{ task: string; pending: number; running: number; failed: number }>;
    next: KeysetCursor | null;
    previous: KeysetCursor | null;
  }

  const loadPage = (url: string) => loadListPage<JobsPageData>(loader, url, operator.cookie);

  const walk = (filters: Filters) =>
    walkPages(
      (cursor: KeysetCursor | null) => loadPage(jobsUrl(filters, cursor)),
      (page) => page.jobs,
      PAGE_SIZE,
    );

  /** Every job under the filters in the page's order, from the table: failed, running, pending, then run_at (to the microsecond), then id. */
  async function expected({ state, task, shop }: Filters): Promise<string[]> {
    const { rows } = await pgPool().query<{
      id: string;
      task: string;
      shop: string | null;
      state: string;
      run_at_us: string;
    }>(
      `SELECT j.id::text, t.identifier AS task, j.payload->>'shop' AS shop,
              CASE WHEN j.locked_at > now() - interval '4 hours' THEN 'running' WHEN j.attempts >= j.max_attempts THEN 'failed' ELSE 'pending' END AS state,
              (extract(epoch FROM j.run_at) * 1000000)::bigint::text AS run_at_us
         FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id`,
    );
    const rank = { failed: 0, running: 1, pending: 2 } as Record<string, number>;
    const compare = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
    return rows
      .filter((j) => (!state || j.state === state) && (!task || j.task === task) && (!shop || j.shop === shop))
      .sort((a, b) => rank[a.state] - rank[b.state] || compare(a.run_at_us, b.run_at_us) || compare(a.id, b.id))
      .map((j) => j.id);
  }

  const ids = (pages: JobsPageData[]) => pages.flatMap((page) => page.jobs.map((j) => j.id));

  beforeAll(async () => {
    // 120 jobs due in 2030 over two shops and two tasks, a fifth failed for good and some running. Their run_at
    // fall in 30 minutes, each a microsecond or two past it: four jobs share each minute, in two pairs a
    // microsecond apart (within one millisecond), so both the microseconds and the id order them.
    await pgPool().query(
      `SELECT graphile_worker.add_job(CASE WHEN i % 2 = 0 THEN 'inventory-sync' ELSE 'integrity-check' END,
                json_build_object('shop', CASE WHEN i % 3 = 0 THEN 'paging-b.myshopify.com' ELSE 'paging-a.myshopify.com' END, 'reason', 'schedule'),
                run_at := timestamptz '2030-01-01T00:00:00Z' + ((i * 37) % 30) * interval '1 minute' + (1 + i % 4) * interval '1 microsecond',
                max_attempts := 1)
         FROM generate_series(1, 120) AS i`,
    );
    await pgPool().query(
      `UPDATE graphile_worker._private_jobs SET attempts = 1, last_error = 'paging failure'
        WHERE payload->>'reason' = 'schedule' AND run_at >= '2030-01-01' AND id % 5 = 0`,
    );
    await pgPool().query(
      `UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'worker-paging'
        WHERE run_at >= '2030-01-01' AND id % 5 <> 0 AND id % 7 = 0`,
    );
  });

  it("walks every job once, failed then running then pending, each by run_at, crossing states mid-page", async () => {
    const pages = await walk({});
    const want = await expected({});
    expect(want.length).toBeGreaterThan(2 * PAGE_SIZE);
    expect(ids(pages)).toEqual(want);
    expect(new Set(ids(pages)).size).toBe(want.length);
    expect(pages.some((page) => new Set(page.jobs.map((j) => j.state)).size > 1)).toBe(true);
    for (const page of pages) expect(page.counts).toEqual(pages[0].counts);
  });

  it("goes back with `before` to exactly the previous page, and from the second page to the first", async () => {
    const [first, second, third] = await walk({});
    const backToSecond = await loadPage(jobsUrl({}, third.previous));
    expect(backToSecond.jobs.map((j) => j.id)).toEqual(second.jobs.map((j) => j.id));
    expect(backToSecond.next).toEqual(second.next);
    const backToFirst = await loadPage(jobsUrl({}, backToSecond.previous));
    expect(backToFirst.jobs.map((j) => j.id)).toEqual(first.jobs.map((j) => j.id));
    expect(backToFirst.previous).toBeNull();
  });

  it("keeps state, task and shop in the page links", async () => {
    for (const filters of [
      { state: "pending" },
      { shop: "paging-a.myshopify.com" },
      { task: "inventory-sync", shop: "paging-a.myshopify.com" },
      { state: "failed", task: "integrity-check" },
    ] satisfies Filters[]) {
      const pages = await walk(filters);
      expect(ids(pages), JSON.stringify(filters)).toEqual(await expected(filters));
      expect(ids(pages).length).toBeGreaterThan(0);
    }
    expect((await walk({ state: "pending" })).length).toBeGreaterThan(1);
    expect((await walk({ shop: "paging-a.myshopify.com" })).length).toBeGreaterThan(1);
  });

  it("shows the first page for a cursor that does not parse or that the columns could not hold", async () => {
    const first = await loadPage(jobsUrl({}));
    for (const cursor of [
      "garbage",
      "2_5",
      "2_1893456000000001_5_6",
      "3000000000_1893456000000001_5",
      "2_9007199254740993_5",
      "2_1893456000000001_99999999999999999999",
    ]) {
      for (const side of ["after", "before"]) {
        const page = await loadPage(`/admin/jobs?${side}=${encodeURIComponent(cursor)}`);
        expect(
          page.jobs.map((j) => j.id),
          `${side}=${cursor}`,
        ).toEqual(first.jobs.map((j) => j.id));
        expect(page.previous).toBeNull();
      }
    }
  });
});
