// A worker process for the outage tests (tests/integration/job-end-outage.test.ts): the app's worker (startWorker,
// as `npm run worker` starts it, with its probe server for /healthz) running the app's tasks plus one of the test's,
// `test-gated`, whose run is an HTTP request to the test's gate (GATE_URL): the test holds the answer until it has
// stopped the database, so the job ends while PostgreSQL is down. The gate's answer "fail" makes the run throw (a
// failure with attempts left, which defineTask requeues); "cut" runs a statement the test cuts. Run as its own process so that a crash is an exit code.
import { z } from "zod";
import { startProbeServer } from "../../app/health/probe-server.server";
import { defineTask } from "../../app/worker/define-task.server";
import { taskList } from "../../app/worker/task-list.server";
import type { TaskName } from "../../app/jobs/task-names";
import { startWorker, stopWorker } from "../../app/worker/worker.server";

const GATED_TASK = "test-gated";

const gated = defineTask({
  name: GATED_TASK as TaskName,
  payload: z.object({ label: z.string() }),
  retry: { maxAttempts: 2, firstDelayMs: 0 },
  async run({ label }, { attempt, helpers }) {
    const answer = await (await fetch(`${process.env.GATE_URL}/${label}/attempt-${attempt}`)).text();
    if (answer === "cut") {
      // A statement on the worker's own connection that the test cuts (it terminates the backend); the task gets
      // over it and succeeds, so graphile-worker then completes the job on the same pool.
      await helpers
        .withPgClient((client) => client.query("SELECT pg_sleep(600) AS gated_sleep"))
        .catch((error: Error) => console.log(`[gated-worker] ${label} statement cut: ${error.message}`));
    }
    console.log(`[gated-worker] ${label} attempt ${attempt} ends: ${answer}`); // the test waits for this line
    if (answer === "fail") throw new Error(`the gate failed ${label} attempt ${attempt}`);
  },
});

const worker = await startWorker({
  concurrency: 1,
  withCron: false,
  pollInterval: 100,
  sweepIntervalMs: 500,
  taskList: { ...taskList, [GATED_TASK]: gated },
});
const probes = await startProbeServer({ port: Number(process.env.WORKER_HTTP_PORT) });
console.log(`[gated-worker] ready, pool ${worker.poolIds.join(",")}`);

process.once("SIGTERM", () => {
  void (async () => {
    await probes.close();
    await stopWorker();
    process.exit(0);
  })();
});
