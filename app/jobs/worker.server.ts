import { EventEmitter } from "node:events";
import { parseCronItems, run, type Runner, type WorkerEvents } from "graphile-worker";
import { observeWorkerEvents } from "~/analytics/metrics.server";
import { pgPool } from "~/db.server";
import { SCHEDULES } from "./schedules";
import { taskList } from "./task-list.server";
import { keepWorkersAlive, type WorkerLiveness } from "./worker-liveness.server";

// The graphile-worker runner, started once per process: by scripts/serve.ts beside the web server (in-process jobs,
// the default) or by scripts/worker.ts alone. It lives on globalThis so that a second import of this module (Vite's
// dev reloads) finds the running one instead of starting another.

interface WorkerState {
  runner: Runner;
  events: WorkerEvents;
  poolIds: string[];
  liveness: WorkerLiveness;
  stopping?: Promise<void>;
}

const GLOBAL_KEY = Symbol.for("marketplace-sync.worker");
type GlobalWithWorker = typeof globalThis & { [GLOBAL_KEY]?: WorkerState };

export interface StartWorkerOptions {
  concurrency: number;
  /** Tests run the worker without the crontab. */
  withCron?: boolean;
  pollInterval?: number;
  /** How often to look for dead workers' jobs (default: every minute, app/jobs/worker-liveness.server.ts). */
  sweepIntervalMs?: number;
}

export async function startWorker(options: StartWorkerOptions): Promise<WorkerState> {
  const g = globalThis as GlobalWithWorker;
  if (g[GLOBAL_KEY]) return g[GLOBAL_KEY];

  const events: WorkerEvents = new EventEmitter();
  observeWorkerEvents(events); // jobs run and failed, by task, for /metrics
  const poolIds: string[] = [];
  const liveness = await keepWorkersAlive({ connect: () => pgPool("job").connect(), sweepIntervalMs: options.sweepIntervalMs });
  const lockHeld: Promise<void>[] = [];
  events.on("pool:create", ({ workerPool }) => {
    poolIds.push(workerPool.id);
    lockHeld.push(liveness.hold(workerPool.id));
  });

  const runner = await run({
    pgPool: pgPool("job"),
    taskList,
    parsedCronItems: options.withCron === false ? [] : parseCronItems(SCHEDULES),
    concurrency: options.concurrency,
    pollInterval: options.pollInterval,
    noHandleSignals: true, // the process's entry point owns SIGTERM/SIGINT and calls stopWorker()
    events,
  });
  await Promise.all(lockHeld);
  // The first sweep notes the pools that look dead; the next one (a minute later) requeues their jobs.
  await liveness.sweep();

  const state: WorkerState = { runner, events, poolIds, liveness };
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
      await state.runner.stop();
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
