import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import {
  binariesFor,
  dataDirFor,
  reachableByOthers,
  startEmbeddedPostgres,
} from "../../app/database/embedded-postgres.server";
import { freePort } from "../../scripts/lib/scratch-server";

// As root the embedded PostgreSQL runs as the `postgres` user, which cannot enter a folder closed to others: a clone
// under /root (0700) or in a `mktemp -d` folder. Then binaries and data are staged where it can, once, and reused.

const root = mkdtempSync(path.join(tmpdir(), "ms-pg-access-")); // 0700, like `mktemp -d` and like /root
afterAll(() => rmSync(root, { recursive: true, force: true }));
const postgresUser = { uid: 65534, gid: 65534 }; // only its presence matters to these functions: "running as root"

describe("reachableByOthers", () => {
  it("is false below a folder closed to others, true once every folder down to the target is open", () => {
    const deep = path.join(root, "p", "node_modules");
    mkdirSync(deep, { recursive: true });
    expect(reachableByOthers(deep)).toBe(false);
    chmodSync(root, 0o755);
    expect(reachableByOthers(deep)).toBe(true);
    expect(reachableByOthers(path.join(root, "not", "yet"))).toBe(true);
    chmodSync(path.join(root, "p"), 0o750); // group may enter, others may not: the postgres user is "others"
    expect(reachableByOthers(deep)).toBe(false);
    chmodSync(path.join(root, "p"), 0o755);
    chmodSync(root, 0o700);
  });
});

describe("where the data goes", () => {
  it("stays where it was asked for when not root, or when the postgres user can reach it", () => {
    const open = mkdtempSync(path.join(tmpdir(), "ms-pg-open-"));
    chmodSync(open, 0o755);
    try {
      expect(dataDirFor(path.join(open, ".data/postgres"), undefined)).toBe(path.join(open, ".data/postgres"));
      expect(dataDirFor(path.join(open, ".data/postgres"), postgresUser)).toBe(path.join(open, ".data/postgres"));
    } finally {
      rmSync(open, { recursive: true, force: true });
    }
  });

  it("as root in a closed folder, moves to a folder of its own per checkout under the stage root, the same every start", () => {
    const stage = path.join(tmpdir(), "ms-stage");
    const a = dataDirFor(path.join(root, "a", ".data/postgres"), postgresUser, stage);
    const b = dataDirFor(path.join(root, "b", ".data/postgres"), postgresUser, stage);
    expect(a.startsWith(path.join(stage, "data", "a-"))).toBe(true);
    expect(path.basename(a)).toBe("postgres");
    expect(b).not.toBe(a);
    expect(dataDirFor(path.join(root, "a", ".data/postgres"), postgresUser, stage)).toBe(a);
  });
});

describe("where the binaries come from", () => {
  it("as root, a closed package folder is copied once to the stage root and the copy reused", () => {
    const packaged = path.join(root, "pkg", "native");
    mkdirSync(path.join(packaged, "bin"), { recursive: true });
    writeFileSync(path.join(packaged, "bin", "postgres"), "#!/bin/sh\n");
    symlinkSync("postgres", path.join(packaged, "bin", "postmaster"));
    const stage = mkdtempSync(path.join(tmpdir(), "ms-stage-bin-"));
    try {
      const staged = binariesFor(postgresUser, stage, { dir: packaged, version: "1.2.3" });
      expect(staged).toBe(path.join(stage, "postgresql-1.2.3"));
      expect(readFileSync(path.join(staged, "bin", "postgres"), "utf8")).toBe("#!/bin/sh\n");
      expect(readlinkSync(path.join(staged, "bin", "postmaster"))).toBe("postgres"); // relative links kept as they are
      writeFileSync(path.join(staged, "bin", "marker"), "");
      expect(binariesFor(postgresUser, stage, { dir: packaged, version: "1.2.3" })).toBe(staged);
      expect(existsSync(path.join(staged, "bin", "marker"))).toBe(true); // reused, not copied again
      expect(readdirSync(stage)).toEqual(["postgresql-1.2.3"]); // no partial copy left behind
      // Not root, or reachable: the package's own folder.
      expect(binariesFor(undefined, stage, { dir: packaged, version: "1.2.3" })).toBe(packaged);
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
  });
});

// The whole path, for real, where it matters: as root (CI, containers, a newcomer in /root).
describe.runIf(process.getuid?.() === 0)("as root, a data folder the postgres user cannot enter", () => {
  it("is staged under the stage root, and the server starts, serves UTF8 and stops", async () => {
    const stage = mkdtempSync(path.join(tmpdir(), "ms-stage-root-"));
    chmodSync(stage, 0o755);
    try {
      const requested = path.join(root, "clone", ".data", "postgres");
      const server = await startEmbeddedPostgres({
        dataDir: requested,
        port: await freePort(),
        database: "staged",
        stageRoot: stage,
      });
      try {
        expect(server.dataDir).toBe(dataDirFor(requested, postgresUser, stage));
        const client = new pg.Client({ connectionString: server.url });
        await client.connect();
        const { rows } = await client.query<{ encoding: string }>(
          "SELECT pg_encoding_to_char(encoding) AS encoding FROM pg_database WHERE datname = current_database()",
        );
        await client.end();
        expect(rows[0].encoding).toBe("UTF8");
      } finally {
        await server.stop();
      }
      expect(existsSync(path.join(server.dataDir!, "PG_VERSION"))).toBe(true);
      expect(existsSync(requested)).toBe(false);
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
  }, 60_000);
});
