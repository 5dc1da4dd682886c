import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/scratch-server";
import { releaseWorkerUtils, workerUtils } from "../../app/jobs/queue.server";
import { TASK } from "../../app/jobs/task-names";

// `npm run worker` (scripts/worker.ts) as a deployment runs it, alone, on this test's database: its own HTTP port
// answers /healthz and /metrics, and the metrics are this process's (a job it ran is counted there).

const METRICS_TOKEN = "worker-probe-test-token-0123";

let child: ChildProcess | undefined;
afterAll(async () => {
  child?.kill("SIGKILL");
  await releaseWorkerUtils();
});

describe("scripts/worker.ts", () => {
  it("serves /healthz and /metrics on WORKER_HTTP_PORT, counts the jobs it runs, and stops on SIGTERM", async () => {
    const port = await freePort();
    child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
      env: {
        ...process.env,
        WORKER_HTTP_PORT: String(port),
        WORKER_IN_PROCESS: "false",
        WORKER_CONCURRENCY: "1",
        METRICS_TOKEN,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
    const base = `http://127.0.0.1:${port}`;

    // WORKER_IN_PROCESS=false is the web processes' setting; the worker process reports its own worker all the same.
    await expect
      .poll(
        async () => {
          const response = await fetch(`${base}/healthz`).catch(() => undefined);
          return response ? { status: response.status, body: await response.json() } : undefined;
        },
        { timeout: 120_000, interval: 500 },
      )
      .toEqual({ status: 200, body: { ok: true, database: "up", worker: "running", workerLock: "held" } });

    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    await (await workerUtils()).addJob(TASK.alertsDispatchSweep, {}, { maxAttempts: 1 });
    const counted = `marketplace_sync_jobs_total{task="${TASK.alertsDispatchSweep}",outcome="success"} 1`;
    await expect
      .poll(
        async () => {
          const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
          return `${response.status} ${response.headers.get("content-type")}\n${await response.text()}`;
        },
        { timeout: 60_000, interval: 500 },
      )
      .toMatch(new RegExp(`^200 text/plain[^\\n]*\\n[\\s\\S]*${counted.replace(/[{}"=]/g, "\\$&")}`));
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: "POST" })).status).toBe(405);
    expect(output).toContain(`/healthz and /metrics on http://localhost:${port}`);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).not.toContain(METRICS_TOKEN);
  }, 200_000);
});
