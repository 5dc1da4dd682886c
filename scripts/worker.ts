// `npm run worker`: the same graphile-worker as the app runs in-process, without the web server, for deployments
// that scale jobs out (set WORKER_IN_PROCESS=false on the web processes then).
import { startProbeServer } from "../app/health/probe-server.server";
import { startWorker } from "../app/jobs/worker.server";
import { onShutdown, prepareDatabase, requireValidEnvironment, stopJobsAndDatabaseConnections } from "./lib/lifecycle";

const config = requireValidEnvironment();
const database = await prepareDatabase();
await startWorker({ concurrency: config.WORKER_CONCURRENCY, withCron: config.WORKER_CRON });
// Probes and scrapes reach it here: /healthz (database and worker) and /metrics (this process's job counters).
const probes = await startProbeServer({ port: config.WORKER_HTTP_PORT });
console.log(
  `[worker] running, concurrency ${config.WORKER_CONCURRENCY}; /healthz and /metrics on http://localhost:${probes.port}`,
);
onShutdown(() => probes.close(), ...stopJobsAndDatabaseConnections, database.stop);
