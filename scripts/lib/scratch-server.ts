import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../../app/database/embedded-postgres.server";

// A PostgreSQL server to create throwaway databases on, for the test run and the benchmarks (and freePort, which
// the demo uses too): not part of the app, so it lives with the scripts: the server of
// DATABASE_URL when one is named (its database itself is never touched), otherwise an embedded server in a
// temporary folder on a free port, removed again by stop().

export interface ScratchServer {
  /** A URL of the server's maintenance database. */
  adminUrl: string;
  /** The URL of `database` on this server. */
  urlOf(database: string): string;
  /** Runs one statement on the maintenance database (CREATE/DROP DATABASE). */
  run(sql: string): Promise<void>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function startScratchServer(
  label: string,
  log: (line: string) => void = () => undefined,
): Promise<ScratchServer> {
  let adminUrl: string;
  let cleanup = async (): Promise<void> => undefined;
  if (process.env.DATABASE_URL) {
    adminUrl = withDatabase(process.env.DATABASE_URL, "postgres");
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), `marketplace-sync-${label}-`));
    // Run as root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder.
    chmodSync(dir, 0o755);
    log("starting an embedded PostgreSQL");
    const server = await startEmbeddedPostgres({
      dataDir: path.join(dir, "data"),
      port: await freePort(),
      database: "postgres",
    });
    adminUrl = server.url;
    cleanup = async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  return {
    adminUrl,
    urlOf: (database) => withDatabase(adminUrl, database),
    async run(sql) {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    },
    stop: cleanup,
  };
}
