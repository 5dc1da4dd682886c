import { spawn } from "node:child_process";
import { afterAll, describe, expect, it, vi } from "vitest";
import { waitUntilDatabaseReachable } from "../../app/jobs/wait-for-database.server";
import { freePort } from "../../scripts/lib/scratch-server";
import { startRestartablePostgres } from "../support/restartable-postgres";

// A process that starts while its database is unreachable (a deploy during a failover, the database's container
// still starting) waits for it (scripts/lib/lifecycle.ts prepareDatabase) instead of exiting on ECONNREFUSED and
// being restarted in a loop by its supervisor.

const database = await startRestartablePostgres("startup-outage");
afterAll(() => database.remove());

const quiet = { warn: () => undefined };

describe("waitUntilDatabaseReachable", () => {
  it("gives up after its timeout with the last connection error", async () => {
    const nothingThere = `postgresql://postgres@127.0.0.1:${await freePort()}/none`;
    await expect(
      waitUntilDatabaseReachable(nothingThere, { timeoutMs: 1_000, delayMs: 100, log: quiet }),
    ).rejects.toThrow(/^the database cannot be reached after 1 s: .*ECONNREFUSED/);
  });

  it("fails at once on what waiting cannot cure (a database that does not exist)", async () => {
    const missing = database.url.replace(/\/[^/?]+(\?|$)/, "/no_such_database$1");
    // Anchored: waiting it out would end in "the database cannot be reached after 2 s: database ... does not exist".
    await expect(waitUntilDatabaseReachable(missing, { timeoutMs: 2_000, delayMs: 100, log: quiet })).rejects.toThrow(
      /^database "no_such_database" does not exist/,
    );
  });
});

describe("npm run worker started while the database is down", () => {
  it("waits for it, then runs", async () => {
    await database.stop();
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        WORKER_HTTP_PORT: String(await freePort()),
        WORKER_IN_PROCESS: "false",
        WORKER_CONCURRENCY: "1",
        WORKER_CRON: "false",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      await vi.waitUntil(() => /\[database\] cannot be reached/.test(output) || child.exitCode !== null, {
        timeout: 60_000,
        interval: 100,
      });
      expect({ exitCode: child.exitCode, output }).toMatchObject({ exitCode: null });

      await database.start();
      await vi.waitUntil(() => /\[worker\] running/.test(output) || child.exitCode !== null, {
        timeout: 60_000,
        interval: 100,
      });
      expect({ exitCode: child.exitCode, running: /\[worker\] running/.test(output) }).toEqual({
        exitCode: null,
        running: true,
      });
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 180_000);
});
