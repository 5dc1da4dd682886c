// `npm run worker`: the same graphile-worker as the app runs in-process, without the web server, for deployments
// that scale jobs out (set WORKER_IN_PROCESS=false on the web processes then).
import { startWorker } from "../app/jobs/worker.server";
import { onShutdown, prepareDatabase, requireValidEnvironment, stopJobsAndDatabaseConnections } from "./lib/lifecycle";

const config = requireValidEnvironment();
const database = await prepareDatabase();
const worker = await startWorker({ concurrency: config.WORKER_CONCURRENCY, sweepIntervalMs: config.WORKER_SWEEP_INTERVAL_SECONDS * 1000 });
// The pool id is what graphile-worker writes in locked_by: it ties a locked job to this process.
console.log(`[worker] running, concurrency ${config.WORKER_CONCURRENCY}, pool ${worker.poolIds.join(", ")}`);
onShutdown(...stopJobsAndDatabaseConnections, database.stop);
