import { Logger, runMigrations as runWorkerMigrations } from "graphile-worker";
import type { TestProject } from "vitest/node";
import { applyMigrations } from "../../app/database/migrations.server";
import { startScratchServer } from "../../scripts/lib/scratch-server";

declare module "vitest" {
  export interface ProvidedContext {
    /** A URL of the test server's maintenance database (to create and drop per-file databases). */
    testServerAdminUrl: string;
    /** The migrated database every test file's database is cloned from. */
    testTemplateDatabase: string;
  }
}

const silentLogger = new Logger(() => () => undefined);

export default async function setup(project: TestProject) {
  // An embedded server for the run, or DATABASE_URL's server (never its database).
  const server = await startScratchServer("test-pg");
  const template = `ms_test_template_${process.pid}`;
  await server.run(`DROP DATABASE IF EXISTS ${template}`);
  await server.run(`CREATE DATABASE ${template}`);
  await applyMigrations(server.urlOf(template));
  // graphile-worker's own schema too, so tests can queue jobs without starting a worker first.
  await runWorkerMigrations({ connectionString: server.urlOf(template), logger: silentLogger });

  project.provide("testServerAdminUrl", server.adminUrl);
  project.provide("testTemplateDatabase", template);

  return async () => {
    await server.run(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`).catch(() => undefined);
    await server.stop();
  };
}
