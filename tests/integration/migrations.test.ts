import { mkdtempSync, cpSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import {
  applyMigrations,
  MIGRATIONS_DIR,
  readMigrations,
  MigrationChecksumMismatchError,
} from "../../app/database/migrations.server";

// `npm run setup` on an empty database: everything applied and recorded as Prisma records it; the second run
// is a no-op; an applied migration edited afterwards is refused.

const adminUrl = inject("testServerAdminUrl");
const database = `ms_migrations_${process.pid}`;
const url = Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString();

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

beforeAll(async () => {
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${database}`);
});
afterAll(async () => {
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

describe("applyMigrations", () => {
  it("applies every migration to an empty database, records it like Prisma, and is a no-op the second time", async () => {
    const migrations = await readMigrations();
    expect(await applyMigrations(url)).toEqual(migrations.map((m) => m.name));
    expect(await applyMigrations(url)).toEqual([]);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query(
      `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, applied_steps_count
         FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    await client.end();
    expect(rows).toEqual(
      migrations.map((m) => ({ migration_name: m.name, checksum: m.checksum, finished: true, applied_steps_count: 1 })),
    );
    expect(rows[0].checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses to run when an applied migration was edited", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "migrations-"));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    const [first] = await readMigrations(dir);
    appendFileSync(path.join(dir, first.name, "migration.sql"), "\n-- edited\n");
    await expect(applyMigrations(url, dir)).rejects.toBeInstanceOf(MigrationChecksumMismatchError);
  });
});
