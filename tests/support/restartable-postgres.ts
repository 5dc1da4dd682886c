import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Logger, runMigrations as runWorkerMigrations } from "graphile-worker";
import { startEmbeddedPostgres, type RunningDatabase } from "../../app/database/embedded-postgres.server";
import { applyMigrations } from "../../app/database/migrations.server";
import { freePort } from "../../scripts/lib/scratch-server";

// A PostgreSQL of a test file's own that the test can stop and start again: its server process stopped (a fast
// shutdown: every session is closed, the process exits, new connections are refused) and started again on the same
// data and port. The suite's shared server cannot be stopped without cutting every other test file, so the outage
// tests start one of these, migrated (the app's and graphile-worker's schemas), and point DATABASE_URL at it before
// the app's pools are made.

export interface RestartablePostgres {
  url: string;
  /** Stops the server; resolves once its process has exited (connections are refused from then on). */
  stop(): Promise<void>;
  /** Starts it again on the same data and port. */
  start(): Promise<void>;
  /** Stops it (if running) and deletes its data. */
  remove(): Promise<void>;
}

export async function startRestartablePostgres(name: string): Promise<RestartablePostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), `marketplace-sync-${name}-`));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as `postgres`, which must enter the folder
  const port = await freePort();
  const database = name.replace(/[^a-z0-9]/gi, "_");
  const launch = () => startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port, database });
  let running: RunningDatabase | undefined = await launch();
  const url = running.url;
  await applyMigrations(url);
  await runWorkerMigrations({ connectionString: url, logger: new Logger(() => () => undefined) });
  async function stop() {
    const current = running;
    running = undefined;
    await current?.stop();
  }
  return {
    url,
    stop,
    async start() {
      running ??= await launch();
    },
    async remove() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
