import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, inject } from "vitest";
import { disconnectDatabase } from "../../app/db.server";

// Each test file gets a fresh database cloned from the migrated template (CREATE DATABASE ... TEMPLATE takes
// tens of milliseconds), named in DATABASE_URL before any app module reads it.

const adminUrl = inject("testServerAdminUrl");
const template = inject("testTemplateDatabase");
const database = `ms_test_${process.pid}_${randomBytes(4).toString("hex")}`;

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

await admin((client) => client.query(`CREATE DATABASE ${database} TEMPLATE ${template}`));
const url = new URL(adminUrl);
url.pathname = `/${database}`;
process.env.DATABASE_URL = url.toString();

afterAll(async () => {
  await disconnectDatabase();
  await admin((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
});
