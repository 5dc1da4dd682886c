import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { Logger, runMigrations as runWorkerMigrations } from "graphile-worker";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type RunningDatabase } from "../../app/database/embedded-postgres.server";
import { applyMigrations } from "../../app/database/migrations.server";

declare module "vitest" {
  export interface ProvidedContext {
    /** A URL of the test server's maintenance database (to create and drop per-file databases). */
    testServerAdminUrl: string;
    /** The migrated database every test file's database is cloned from. */
    testTemplateDatabase: string;
  }
}

const silentLogger = new Logger(() => () => undefined);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export default async function setup(project: TestProject) {
  let server: RunningDatabase | undefined;
  let dataDir: string | undefined;
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    // Another PostgreSQL was named: use its server, never its database.
    adminUrl = withDatabase(process.env.DATABASE_URL, "postgres");
  } else {
    dataDir = mkdtempSync(path.join(tmpdir(), "marketplace-sync-test-pg-"));
    // Run as root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder.
    chmodSync(dataDir, 0o755);
    server = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "data"),
      port: await freePort(),
      database: "postgres",
    });
    adminUrl = server.url;
  }

  const template = `ms_test_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  await applyMigrations(withDatabase(adminUrl, template));
  // graphile-worker's own schema too, so tests can queue jobs without starting a worker first.
  await runWorkerMigrations({ connectionString: withDatabase(adminUrl, template), logger: silentLogger });

  project.provide("testServerAdminUrl", adminUrl);
  project.provide("testTemplateDatabase", template);

  return async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`).catch(() => undefined);
    await client.end();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
