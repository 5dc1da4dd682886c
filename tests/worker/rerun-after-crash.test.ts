import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { recordSyncEvent } from "../../app/analytics/record-sync-event.server";
import { pgPool, prisma, runAsJob } from "../../app/db.server";
import { enqueue, releaseWorkerUtils } from "../../app/jobs/queue.server";
import { taskList } from "../../app/worker/task-list.server";
import { TASK } from "../../app/jobs/task-names";
import { sweepDeadWorkers } from "../../app/worker/worker-liveness.server";
import { insertProduct } from "../integrity/fixtures";
import { waitUntil } from "../support/emulator";
import { queuedJobs, runDueJobs } from "../support/jobs";
import { createConnection } from "../support/merchants";

// A worker SIGKILLed after a job's work committed but before graphile-worker marked the job complete: the dead-worker
// sweep requeues the job under the same id and attempt, and it runs again. Its work is idempotent; its sync event
// must be too (the unique job id and attempt of sync_event, app/analytics/record-sync-event.server.ts).

afterAll(async () => {
  await releaseWorkerUtils();
});

describe("a job run again after its worker died", () => {
  it("records its sync event once, though the job ran to completion twice", async () => {
    const shop = "rerun.myshopify.com";
    await createConnection(shop);
    await insertProduct(shop, 1, { deletedAt: new Date(), listed: true }); // the check repairs it (unlists it)
    await enqueue(TASK.integrityCheck, { shop, reason: "manual" });

    const child = spawn(process.execPath, ["--import", "tsx", "tests/worker/support/hanging-worker-child.ts"], {
      env: { ...process.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once("exit", (_code, signal) => resolve(signal)),
    );
    const committed = await waitUntil(async () => /\{"committed":"(\d+)"/.exec(output)?.[1], 60_000, 100);
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    // The work committed and its event is there; graphile-worker still has the job, locked by the dead process.
    const events = () =>
      prisma.syncEvent.findMany({ where: { shop, eventType: "DATA_INTEGRITY" }, orderBy: { id: "asc" } });
    const first = await events();
    expect(first.map((e) => [e.status, String(e.jobId), e.jobAttempt])).toEqual([["SUCCESS", committed, 1]]);
    const [locked] = await queuedJobs(TASK.integrityCheck);
    expect(String(locked.id)).toBe(committed);

    // The sweep of a live process (two sightings of a free liveness lock) gives the job back, and it runs again.
    const client = await pgPool().connect();
    try {
      const state = { own: new Set<string>(), suspects: new Set<string>() };
      expect(await sweepDeadWorkers(client, state)).toBe(0);
      expect(await sweepDeadWorkers(client, state)).toBe(1);
    } finally {
      client.release();
    }
    await runDueJobs(taskList);
    expect(await queuedJobs(TASK.integrityCheck)).toEqual([]); // the re-run completed

    expect((await events()).map((e) => e.id)).toEqual(first.map((e) => e.id));
  }, 90_000);

  it("still records a failure per attempt: each retry is a job of its own or a new attempt of the same job", async () => {
    const shop = "attempts.myshopify.com";
    const failure = () =>
      recordSyncEvent({ shop, eventType: "INVENTORY_SYNC", status: "FAILURE", errorMessage: "boom" });
    await runAsJob(failure, { id: "9001", attempt: 1 });
    await runAsJob(failure, { id: "9002", attempt: 1 }); // defineTask's retry: a new job
    await runAsJob(failure, { id: "9002", attempt: 2 }); // graphile-worker's own retry of a job: the same id
    await runAsJob(failure, { id: "9002", attempt: 2 }); // that attempt run again after a crash: not recorded again
    await failure(); // outside any job (the integrity CLI): never collides
    await failure();
    const rows = await prisma.syncEvent.findMany({ where: { shop }, orderBy: { id: "asc" } });
    expect(rows.map((e) => [e.jobId === null ? null : String(e.jobId), e.jobAttempt])).toEqual([
      ["9001", 1],
      ["9002", 1],
      ["9002", 2],
      [null, null],
      [null, null],
    ]);
  });
});
