import { startEmbeddedPostgres, type RunningDatabase } from "./embedded-postgres.server";

export const EMBEDDED_DATA_DIR = ".data/postgres";
export const EMBEDDED_DATABASE = "marketplace_sync";
const DEFAULT_EMBEDDED_PORT = 54329;

/**
 * What every entry point that needs a database calls first: DATABASE_URL when set (nothing is started), otherwise
 * the embedded PostgreSQL. Sets process.env.DATABASE_URL so the rest of the process (Prisma, the worker) finds it.
 */
export async function ensureDatabase(options: { onLog?: (line: string) => void } = {}): Promise<RunningDatabase> {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, owned: false, stop: async () => undefined };
  }
  const port = Number(process.env.EMBEDDED_POSTGRES_PORT || DEFAULT_EMBEDDED_PORT);
  const running = await startEmbeddedPostgres({
    dataDir: EMBEDDED_DATA_DIR,
    port,
    database: EMBEDDED_DATABASE,
    onLog: options.onLog,
  });
  process.env.DATABASE_URL = running.url;
  return running;
}
