// `npm run worker`: the same graphile-worker as the app runs in-process, without the web server, for deployments
// that scale jobs out (set WORKER_IN_PROCESS=false on the web processes then).
import { startProbeServer } from "../app/health/probe-server.server";
import { startWorker } from "../app/worker/worker.server";
import { onShutdown, prepareDatabase, requireValidEnvironment, stopJobsAndDatabaseConnections } from "./lib/lifecycle";

const config = requireValidEnvironment();
const database = await prepareDatabase();
const worker = await startWorker({
  concurrency: config.WORKER_CONCURRENCY,
  withCron: config.WORKER_CRON,
  sweepIntervalMs: config.WORKER_SWEEP_INTERVAL_SECONDS * 1000,
});
// Probes and scrapes reach it here: /healthz (database and worker) and /metrics (this process's job counters).
const probes = await startProbeServer({ port: config.WORKER_HTTP_PORT });
// The pool id is what graphile-worker writes in locked_by: it ties a locked job to this process.
console.log(
  `[worker] running, concurrency ${config.WORKER_CONCURRENCY}, pool ${worker.poolIds.join(",")} ` +
    `(/healthz and /metrics on http://localhost:${probes.port})`,
);
onShutdown(() => probes.close(), ...stopJobsAndDatabaseConnections, database.stop);
