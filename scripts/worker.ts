// `npm run worker`: the same graphile-worker as the app runs in-process, without the web server, for deployments
// that scale jobs out (set WORKER_IN_PROCESS=false on the web processes then).
import { startWorker } from "../app/jobs/worker.server";
import { onShutdown, prepareDatabase, requireValidEnvironment, stopJobsAndDatabaseConnections } from "./lib/lifecycle";

const config = requireValidEnvironment();
const database = await prepareDatabase();
await startWorker({ concurrency: config.WORKER_CONCURRENCY, withCron: config.WORKER_CRON });
console.log(`[worker] running, concurrency ${config.WORKER_CONCURRENCY}`);
onShutdown(...stopJobsAndDatabaseConnections, database.stop);
