import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Logger, runMigrations as runWorkerMigrations } from "graphile-worker";
import pg from "pg";
import { disconnectDatabase } from "../app/db.server";
import { startEmbeddedPostgres, type RunningDatabase } from "../app/database/embedded-postgres.server";
import { applyMigrations } from "../app/database/migrations.server";
import { resetEnvCache } from "../app/env.server";
import { releaseWorkerUtils } from "../app/jobs/queue.server";

// A database of its own for one benchmark (the inventory and integrity benches): created from the project's
// migrations plus graphile-worker's schema, on DATABASE_URL's server when set, else on an embedded PostgreSQL started
// for the run. While it is open, DATABASE_URL names it, so the app's own modules (pgPool, prisma) work on it
// unchanged; close() drops it and restores the environment.

export interface DedicatedDatabase {
  url: string;
  pool: pg.Pool;
  close(): Promise<void>;
}

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

async function onServer(adminUrl: string, sql: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// The settings app modules validate (env()); a bench talks to no real Shopify, so placeholders do.
const BENCH_ENV = {
  SHOPIFY_API_KEY: "bench-api-key",
  SHOPIFY_API_SECRET: "bench-api-secret",
  SHOPIFY_APP_URL: "http://127.0.0.1:3999",
};

export async function openDedicatedDatabase(label: string, log: (line: string) => void): Promise<DedicatedDatabase> {
  const previousUrl = process.env.DATABASE_URL;
  let server: RunningDatabase | undefined;
  let tempDir: string | undefined;
  let adminUrl: string;
  if (previousUrl) {
    adminUrl = withDatabase(previousUrl, "postgres");
  } else {
    tempDir = mkdtempSync(path.join(tmpdir(), `marketplace-sync-bench-${label}-`));
    chmodSync(tempDir, 0o755); // as root, PostgreSQL runs as `postgres`, which must be able to enter it
    log("starting an embedded PostgreSQL");
    server = await startEmbeddedPostgres({ dataDir: path.join(tempDir, "data"), port: await freePort(), database: "postgres" });
    adminUrl = server.url;
  }
  const database = `ms_bench_${label}_${process.pid}`;
  const url = withDatabase(adminUrl, database);
  await onServer(adminUrl, `DROP DATABASE IF EXISTS ${database}`);
  await onServer(adminUrl, `CREATE DATABASE ${database}`);
  await applyMigrations(url);
  await runWorkerMigrations({ connectionString: url, logger: new Logger(() => () => undefined) });

  const addedEnv = Object.entries(BENCH_ENV).filter(([key]) => !process.env[key]);
  for (const [key, value] of addedEnv) process.env[key] = value;
  process.env.DATABASE_URL = url;
  resetEnvCache();
  const pool = new pg.Pool({ connectionString: url, max: 4 });

  return {
    url,
    pool,
    async close() {
      await releaseWorkerUtils().catch(() => undefined);
      await disconnectDatabase();
      await pool.end().catch(() => undefined);
      if (previousUrl === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = previousUrl;
      for (const [key] of addedEnv) delete process.env[key];
      resetEnvCache();
      await onServer(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
      await server?.stop();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

export function envNumber(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${name} must be a positive number, got ${value}`);
  return parsed;
}
