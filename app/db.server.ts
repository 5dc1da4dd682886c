import { AsyncLocalStorage } from "node:async_hooks";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import pg from "pg";
import { DATABASE_TIMEOUTS, type SessionTimeouts } from "./database/timeouts.server";
import { logger } from "~/lib/logger.server";

// One Prisma client and one pg pool per process, shared by the Remix server build and the worker even when Vite
// loads this module twice (dev reloads, or the worker importing it from source): both live on globalThis.
//
// Prisma serves ordinary reads and writes. Bulk paths (ingest, inventory, integrity checks) use the pg pool
// directly for set-based SQL, COPY and explicit transactions (see docs/decisions/002-ids-money-and-bulk-sql.md).

type PoolKind = "web" | "job";

interface DatabaseHandles {
  url: string;
  pools: Record<PoolKind, pg.Pool>;
  prismas: Record<PoolKind, PrismaClient>;
}

/** Which graphile-worker job, and which of its attempts, the work in progress is (see currentJob). */
export interface JobIdentity {
  id: string;
  attempt: number;
}

const currentWork = new AsyncLocalStorage<{ kind: PoolKind; job?: JobIdentity }>();

/** Runs `work` as a job: its queries go to the job pool, with the job timeouts. */
export function runAsJob<T>(work: () => Promise<T>, job?: JobIdentity): Promise<T> {
  return currentWork.run({ kind: "job", job }, work);
}

function currentKind(): PoolKind {
  return currentWork.getStore()?.kind ?? "web";
}

/**
 * The graphile-worker job being run, if any. A job whose worker died after its work committed but before
 * graphile-worker marked it complete is run again under the same id and attempt (the dead-worker sweep gives the
 * attempt back), so what a job records once per run can be keyed by it (record-sync-event.server.ts).
 */
export function currentJob(): JobIdentity | undefined {
  return currentWork.getStore()?.job;
}

let timeoutOverrides: Partial<Record<PoolKind, SessionTimeouts>> = {};

/** Tests only: other timeouts for pools created from now on (call disconnectDatabase first). */
export function overrideDatabaseTimeouts(overrides: Partial<Record<PoolKind, SessionTimeouts>>): void {
  timeoutOverrides = overrides;
}

function createPool(url: string, kind: PoolKind): pg.Pool {
  const timeouts = timeoutOverrides[kind] ?? DATABASE_TIMEOUTS[kind];
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    statement_timeout: timeouts.statementTimeoutMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionTimeoutMs,
  });
  // An idle client that loses its server (database restarted) must not crash the process.
  pool.on("error", (error) => logger.error({ scope: "db", err: error }, "idle client error"));
  pool.on("connect", (client) =>
    client.on("error", (error) => logger.error({ scope: "db", err: error }, "client error")),
  );
  return pool;
}

const GLOBAL_KEY = Symbol.for("marketplace-sync.database");
type GlobalWithDatabase = typeof globalThis & { [GLOBAL_KEY]?: DatabaseHandles };

function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      "DATABASE_URL is not set. Start through an npm script (they start the embedded PostgreSQL) or set DATABASE_URL.",
    );
  }
  return url;
}

function handles(): DatabaseHandles {
  const g = globalThis as GlobalWithDatabase;
  const url = databaseUrl();
  if (!g[GLOBAL_KEY] || g[GLOBAL_KEY].url !== url) {
    const pools = { web: createPool(url, "web"), job: createPool(url, "job") };
    const prismas = {
      web: new PrismaClient({ adapter: new PrismaPg(pools.web) }),
      job: new PrismaClient({ adapter: new PrismaPg(pools.job) }),
    };
    g[GLOBAL_KEY] = { url, pools, prismas };
  }
  return g[GLOBAL_KEY];
}

/** The Prisma client, created on first use (so start-up scripts can set DATABASE_URL first). */
export const prisma: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, property) {
    const client = handles().prismas[currentKind()];
    const value = Reflect.get(client, property, client);
    return typeof value === "function" ? value.bind(client) : value;
  },
});

/** The pool of the work in progress (a job's inside runAsJob, else the web one), or of the given kind. */
export function pgPool(kind: PoolKind = currentKind()): pg.Pool {
  return handles().pools[kind];
}

/** Runs `work` in one transaction on one pooled connection; rolls back if it throws. */
export async function withTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pgPool().connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export async function disconnectDatabase(): Promise<void> {
  const g = globalThis as GlobalWithDatabase;
  const current = g[GLOBAL_KEY];
  if (!current) return;
  g[GLOBAL_KEY] = undefined;
  for (const kind of ["web", "job"] as const) {
    await current.prismas[kind].$disconnect().catch(() => undefined);
    await current.pools[kind].end().catch(() => undefined);
  }
}

export default prisma;
