import { Logger, runMigrations as runWorkerMigrations } from "graphile-worker";
import pg from "pg";
import { disconnectDatabase } from "../app/db.server";
import { startScratchServer } from "../scripts/lib/scratch-server";
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

// The settings app modules validate (env()); a bench talks to no real Shopify, so placeholders do.
const BENCH_ENV = {
  SHOPIFY_API_KEY: "bench-api-key",
  SHOPIFY_API_SECRET: "bench-api-secret",
  SHOPIFY_APP_URL: "http://127.0.0.1:3999",
};

export async function openDedicatedDatabase(label: string, log: (line: string) => void): Promise<DedicatedDatabase> {
  const previousUrl = process.env.DATABASE_URL;
  const server = await startScratchServer(`bench-${label}`, log);
  const database = `ms_bench_${label}_${process.pid}`;
  const url = server.urlOf(database);
  await server.run(`DROP DATABASE IF EXISTS ${database}`);
  await server.run(`CREATE DATABASE ${database}`);
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
      await server.run(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
      await server.stop();
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
