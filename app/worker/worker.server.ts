import { EventEmitter } from "node:events";
import { parseCronItems, run, type Runner, type TaskList, type WorkerEvents } from "graphile-worker";
import { observeWorkerEvents } from "~/analytics/metrics.server";
import { pgPool } from "~/db.server";
import { graphileWorkerLogger, logger } from "~/lib/logger.server";
import { crontab } from "./schedules.server";
import { taskList } from "./task-list.server";
import { poolWaitingForDatabase } from "~/jobs/wait-for-database.server";
import { keepWorkersAlive, type WorkerLiveness } from "./worker-liveness.server";
import {
  runnerIsWedged,
  watchJobFetching,
  wedgedAsOf,
  WORKER_STALL_AFTER_MS,
  type JobFetchWatch,
} from "./worker-stall.server";

// The graphile-worker runner, started once per process: by scripts/serve.ts beside the web server (in-process jobs,
// the default) or by scripts/worker.ts alone. It lives on globalThis so that a second import of this module (Vite's
// dev reloads) finds the running one instead of starting another.

interface WorkerState {
  runner: Runner;
  events: WorkerEvents;
  /** Every worker pool this process started (a restarted runner adds one). */
  poolIds: string[];
  liveness: WorkerLiveness;
  /** Every fetch of the runner has failed for the stall period while the database answers (it is being replaced). */
  stalled(): boolean;
  /** How many times a wedged runner was replaced (app/worker/worker-stall.server.ts). */
  restarts: number;
  /** Stops the stall check and the current runner (after a replacement in progress). */
  stopRunner(): Promise<void>;
  stopping?: Promise<void>;
}

const GLOBAL_KEY = Symbol.for("marketplace-sync.worker");
type GlobalWithWorker = typeof globalThis & { [GLOBAL_KEY]?: WorkerState };

export interface StartWorkerOptions {
  concurrency: number;
  /** Tests run the worker without the crontab. */
  withCron?: boolean;
  pollInterval?: number;
  /** How often to look for dead workers' jobs (default: every minute, app/worker/worker-liveness.server.ts). */
  sweepIntervalMs?: number;
  /** How long every fetch may fail while the database answers before the runner is replaced (worker-stall.server.ts). */
  stallAfterMs?: number;
  /** Tests only: the tasks to run instead of the app's (a test's task beside them). */
  taskList?: TaskList;
}

async function databaseAnswers(): Promise<boolean> {
  return pgPool("job")
    .query("SELECT 1")
    .then(
      () => true,
      () => false,
    );
}

export async function startWorker(options: StartWorkerOptions): Promise<WorkerState> {
  const g = globalThis as GlobalWithWorker;
  if (g[GLOBAL_KEY]) return g[GLOBAL_KEY];

  const events: WorkerEvents = new EventEmitter();
  observeWorkerEvents(events); // jobs run and failed, by task, for /metrics
  const poolIds: string[] = [];
  const liveness = await keepWorkersAlive({
    connect: () => pgPool("job").connect(),
    sweepIntervalMs: options.sweepIntervalMs,
  });
  // graphile-worker's connections wait out a database outage instead of failing: its job ends are not awaited, and a
  // refused one would end the process (app/jobs/wait-for-database.server.ts).
  const jobPool = poolWaitingForDatabase(pgPool("job"));
  let lockHeld: Promise<void>[] = [];
  events.on("pool:create", ({ workerPool }) => {
    poolIds.push(workerPool.id);
    lockHeld.push(liveness.hold(workerPool.id));
  });

  interface CurrentRunner {
    runner: Runner;
    watch: JobFetchWatch;
    stopped: boolean;
  }

  async function startRunner(): Promise<CurrentRunner> {
    lockHeld = [];
    const watch = watchJobFetching(events);
    const runner = await run({
      pgPool: jobPool.pool,
      taskList: options.taskList ?? taskList,
      parsedCronItems: options.withCron === false ? [] : parseCronItems(crontab()),
      concurrency: options.concurrency,
      pollInterval: options.pollInterval,
      noHandleSignals: true, // the process's entry point owns SIGTERM/SIGINT and calls stopWorker()
      events,
      logger: graphileWorkerLogger(), // its lines (task, job id, worker) as ours: JSON in production, redacted
    });
    await Promise.all(lockHeld);
    return { runner, watch, stopped: false };
  }

  let current = await startRunner();
  // The first sweep notes the pools that look dead; the next one (a minute later) requeues their jobs.
  await liveness.sweep();

  const stallAfterMs = options.stallAfterMs ?? WORKER_STALL_AFTER_MS;
  const state: WorkerState = {
    runner: current.runner,
    events,
    poolIds,
    liveness,
    restarts: 0,
    async stopRunner() {
      clearInterval(stallCheck);
      jobPool.stop(); // a fetch waiting for the database would hold up the runner's stop
      await replacing;
      current.watch.stop();
      if (!current.stopped) await current.runner.stop();
      current.stopped = true;
    },
    stalled: () => wedgedAsOf(current.watch, Date.now(), stallAfterMs),
  };

  // Replaces a wedged runner (see worker-stall.server.ts). Its pools' jobs are released by its graceful stop; their
  // liveness locks are let go once the new runner holds its own.
  async function replaceWedgedRunner(): Promise<void> {
    if (!(await runnerIsWedged(current.watch, Date.now(), stallAfterMs, databaseAnswers)) || state.stopping) return;
    logger.error(
      `[worker] every job fetch failed for ${Math.round(stallAfterMs / 1000)} s while the database answers ` +
        `(last error: ${current.watch.lastError()}); replacing the runner`,
    );
    const oldPools = [...poolIds];
    if (!current.stopped) {
      current.stopped = true;
      await current.runner.stop();
    }
    const next = await startRunner();
    current.watch.stop();
    current = next;
    state.runner = next.runner;
    state.restarts += 1;
    for (const poolId of oldPools) await liveness.release(poolId);
  }
  let replacing: Promise<void> | undefined;
  const stallCheck = setInterval(
    () => {
      replacing ??= replaceWedgedRunner()
        .catch((error: Error) => logger.error(`[worker] replacing the runner failed (${error.message}); trying again`))
        .finally(() => (replacing = undefined));
    },
    Math.max(100, Math.min(stallAfterMs / 4, 15_000)),
  );
  stallCheck.unref();

  g[GLOBAL_KEY] = state;
  return state;
}

/** Stops taking jobs, lets running ones finish (graphile-worker releases them if they do not in time). */
export async function stopWorker(): Promise<void> {
  const g = globalThis as GlobalWithWorker;
  const state = g[GLOBAL_KEY];
  if (!state) return;
  state.stopping ??= (async () => {
    try {
      await state.stopRunner();
    } finally {
      await state.liveness.stop();
      g[GLOBAL_KEY] = undefined;
    }
  })();
  return state.stopping;
}

export function runningWorker(): WorkerState | undefined {
  return (globalThis as GlobalWithWorker)[GLOBAL_KEY];
}
