import { runMigrations as runWorkerMigrations } from "graphile-worker";
import { ensureDatabase } from "../../app/database/database-for-process.server";
import { applyMigrations } from "../../app/database/migrations.server";
import { disconnectDatabase } from "../../app/db.server";
import { InvalidEnvironmentError, env } from "../../app/env.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { waitUntilDatabaseReachable } from "../../app/jobs/wait-for-database.server";
import { stopWorker } from "../../app/worker/worker.server";

// What every entry point (setup, serve, worker, demo) does first and last.

/** Validates the environment; on a problem, names every bad variable and exits. */
export function requireValidEnvironment() {
  try {
    return env();
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) {
      console.error(error.message);
      console.error("See README.md, Configuration.");
      process.exit(1);
    }
    throw error;
  }
}

/** DATABASE_URL or the embedded PostgreSQL, migrated (the app's migrations and graphile-worker's). */
export async function prepareDatabase() {
  const database = await ensureDatabase();
  // A DATABASE_URL's server may be restarting or failing over as this process starts: wait for it, not exit.
  await waitUntilDatabaseReachable(database.url);
  const applied = await applyMigrations(database.url);
  if (applied.length > 0) console.log(`[setup] applied migrations: ${applied.join(", ")}`);
  await runWorkerMigrations({ connectionString: database.url });
  return database;
}

type Cleanup = () => Promise<unknown> | unknown;

/**
 * Runs the cleanups, in order, on SIGTERM or SIGINT: stop taking work, let running jobs finish, close connections,
 * stop the embedded database. A second signal exits at once.
 */
export function onShutdown(...cleanups: Cleanup[]) {
  let shutdownStartedAt: number | undefined;
  const shutdown = async (signal: string) => {
    if (shutdownStartedAt !== undefined) {
      // Ctrl-C reaches us twice at once (from the terminal and relayed by tsx); only a later one means "now".
      if (Date.now() - shutdownStartedAt < 1000) return;
      console.warn(`[shutdown] ${signal} again: exiting now`);
      process.exit(1);
    }
    shutdownStartedAt = Date.now();
    console.log(`[shutdown] ${signal}: stopping`);
    for (const cleanup of cleanups) {
      try {
        await cleanup();
      } catch (error) {
        console.error("[shutdown]", (error as Error).message);
      }
    }
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

export const stopJobsAndDatabaseConnections: Cleanup[] = [stopWorker, releaseWorkerUtils, disconnectDatabase];
