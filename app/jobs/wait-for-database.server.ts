import pg from "pg";
import { logger } from "~/lib/logger.server";
import { DATABASE_RECONNECT_DELAY_MS, DATABASE_STARTUP_WAIT_MS } from "./retry-policy";

// graphile-worker 0.18 ends a job by calling completeJob/failJob without awaiting or catching them (dist/worker.js:
// `completeJob(job)`, `failJob({...})`, then the next job). Both run through its withRetries (dist/lib.js), which
// tries again only on the codes of its RETRYABLE_ERROR_CODES: 40001, 40P01, 57P03, EHOSTUNREACH, ETIMEDOUT. A database
// that is down refuses the connection (ECONNREFUSED), which is not among them: the rejection goes unhandled and Node
// ends the process, which is the app's web server too when the worker runs in-process (tests/integration/
// job-end-outage.test.ts). The batching options (`completeJobBatchDelay`/`failJobBatchDelay`) do not help: their
// retry loop gives up after the first error (dist/main.js batch(): `break` in its catch) and then shuts the whole
// worker pool down ("queue is in an inconsistent state").
//
// The cure is here, below graphile-worker: the pool it is given waits for the database when a connection cannot be
// made, trying again every DATABASE_RECONNECT_DELAY_MS, instead of failing. A connection that was never made ran no
// statement, so making it again later is always safe, whatever graphile-worker meant to do with it: complete or fail
// a job (it then ends exactly once, as soon as the database is back, and is not run again), fetch the next one, or
// queue a task's next attempt through the job's helpers (defineTask's requeue). The alternatives were worse: a
// process-wide unhandledRejection handler cannot tell graphile-worker's rejections from others and leaves the job
// locked by a live worker (no sweep takes it for 4 hours); retrying whole queries is not safe (a dropped connection
// may have committed). Only connection-level failures wait (refused, reset, unreachable, the server starting or
// shutting down); an authentication or configuration error fails at once, as before. A statement cut off mid-way
// is not retried (it may have committed): it fails as before, but its connection leaves the pool on release
// (releasedForGoodWhenLost below), so the job's end that follows gets a live one. What is left is a statement of the
// job's end itself cut mid-way: a window of milliseconds. Waiting ends when the worker stops (`stop()`): a job end
// still waiting then fails as it did before, and the job, locked by a stopped worker, is run again by the
// dead-worker sweep of another process (app/worker/worker-liveness.server.ts).

/**
 * Whether `error` means the connection to the database could not be made or was lost (and a new one may work
 * later), as opposed to an error of the statement itself or of the credentials.
 */
export function databaseUnreachable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === "string" && UNREACHABLE_CODES.has(code)) return true;
  return typeof message === "string" && UNREACHABLE_MESSAGES.test(message);
}

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED", // the server is not running
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND", // its host name does not resolve (yet)
  "EAI_AGAIN",
  "57P01", // admin_shutdown: terminated while connecting
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up or shutting down
]);
// pg's own errors when the server goes away during the handshake, and pg-pool's connection timeout: no code.
const UNREACHABLE_MESSAGES = /^Connection terminated|timeout exceeded when trying to connect/;

export interface WaitingPool {
  /** The pool to give graphile-worker: `connect()` waits while the database is unreachable. */
  pool: pg.Pool;
  /** Stops waiting: connections still waiting fail with their last error (the worker is stopping). */
  stop(): void;
}

export function poolWaitingForDatabase(
  pool: pg.Pool,
  options: { delayMs?: number; log?: Pick<Console, "warn"> } = {},
): WaitingPool {
  const delayMs = options.delayMs ?? DATABASE_RECONNECT_DELAY_MS;
  const log = options.log ?? logger;
  let stopped = false;
  const wakeUps = new Set<() => void>();

  async function connectWhenReachable(): Promise<pg.PoolClient> {
    for (let tries = 1; ; tries++) {
      try {
        return releasedForGoodWhenLost(await pool.connect());
      } catch (error) {
        if (stopped || !databaseUnreachable(error)) throw error;
        if (tries === 1) {
          log.warn(`[worker] the database cannot be reached (${(error as Error).message}); the worker waits for it`);
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            wakeUps.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, delayMs);
          wakeUps.add(wake);
        });
      }
    }
  }

  const waiting = new Proxy(pool, {
    get(target, property) {
      // Only the promise form: graphile-worker's queries (withPgClient) use it. Its LISTEN connection (callback form)
      // has its own reconnect loop, and pool.query (the cron's) connects inside pg-pool, on the pool itself.
      if (property === "connect") {
        return (callback?: Parameters<pg.Pool["connect"]>[0]) =>
          callback ? target.connect(callback) : connectWhenReachable();
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    pool: waiting,
    stop() {
      stopped = true;
      for (const wake of [...wakeUps]) wake();
    },
  };
}

/**
 * The client, except that once one of its statements has failed for a lost connection, its release removes it from
 * the pool. pg-pool would keep it: when the server ends a session (a terminated backend, a shutdown), the statement
 * fails on the FATAL message, before the socket's end is read, so the client still looks usable when it is released
 * at once, and the next connect() gets it. That next one is typically graphile-worker completing or failing the job
 * (dist/worker.js), whose "Connection terminated unexpectedly" would go unhandled.
 */
function releasedForGoodWhenLost(client: pg.PoolClient): pg.PoolClient {
  let lost: Error | undefined;
  return new Proxy(client, {
    get(target, property) {
      if (property === "query") {
        return (...args: unknown[]) => {
          const result: unknown = Reflect.apply(target.query, target, args);
          if (!(result instanceof Promise)) return result; // the callback and Submittable forms (unused by graphile)
          return result.catch((error: unknown) => {
            if (databaseUnreachable(error)) lost = error as Error;
            throw error;
          });
        };
      }
      if (property === "release") return (error?: Error | boolean) => target.release(error ?? lost);
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * Resolves once a connection to `url` can be made, trying every `delayMs` while the database is unreachable, for at
 * most `timeoutMs`; then rejects with the last error. An error that waiting cannot cure (a wrong password, a missing
 * database) rejects at once.
 */
export async function waitUntilDatabaseReachable(
  url: string,
  options: { timeoutMs?: number; delayMs?: number; log?: Pick<Console, "warn"> } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DATABASE_STARTUP_WAIT_MS;
  const delayMs = options.delayMs ?? DATABASE_RECONNECT_DELAY_MS;
  const log = options.log ?? logger;
  const deadline = Date.now() + timeoutMs;
  for (let tries = 1; ; tries++) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: delayMs * 5 });
    try {
      await client.connect();
      if (tries > 1) log.warn(`[database] reachable after ${tries} tries`);
      return;
    } catch (error) {
      if (!databaseUnreachable(error)) throw error;
      if (Date.now() + delayMs > deadline) {
        throw new Error(
          `the database cannot be reached after ${Math.round(timeoutMs / 1000)} s: ${(error as Error).message}`,
        );
      }
      if (tries === 1) {
        log.warn(
          `[database] cannot be reached (${(error as Error).message}); waiting up to ${Math.round(timeoutMs / 1000)} s`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
