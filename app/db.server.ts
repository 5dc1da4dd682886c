import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import pg from "pg";

// One Prisma client and one pg pool per process, shared by the Remix server build and the worker even when Vite
// loads this module twice (dev reloads, or the worker importing it from source): both live on globalThis.
//
// Prisma serves ordinary reads and writes. Bulk paths (ingest, inventory, integrity checks) use the pg pool
// directly for set-based SQL, COPY and explicit transactions (see docs/decisions/002-ids-money-and-bulk-sql.md).

interface DatabaseHandles {
  url: string;
  pool: pg.Pool;
  prisma: PrismaClient;
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
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle client that loses its server (database restarted) must not crash the process.
    pool.on("error", (error) => console.error("[db] idle client error:", error.message));
    pool.on("connect", (client) => client.on("error", (error) => console.error("[db] client error:", error.message)));
    g[GLOBAL_KEY] = { url, pool, prisma: new PrismaClient({ adapter: new PrismaPg(pool) }) };
  }
  return g[GLOBAL_KEY];
}

/** The Prisma client, created on first use (so start-up scripts can set DATABASE_URL first). */
export const prisma: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, property) {
    const client = handles().prisma;
    const value = Reflect.get(client, property, client);
    return typeof value === "function" ? value.bind(client) : value;
  },
});

export function pgPool(): pg.Pool {
  return handles().pool;
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
  await current.prisma.$disconnect().catch(() => undefined);
  await current.pool.end().catch(() => undefined);
}

export default prisma;
