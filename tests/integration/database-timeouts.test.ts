import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DATABASE_TIMEOUTS } from "../../app/database/timeouts.server";
import { disconnectDatabase, overrideDatabaseTimeouts, pgPool, prisma, runAsJob } from "../../app/db.server";
import { taskList } from "../../app/worker/task-list.server";
import { TASK } from "../../app/jobs/task-names";
import { ingestBulkExport } from "../../app/sync/bulk-export-ingest.server";
import { createConnection } from "../support/merchants";
import { fakeHelpers } from "../support/jobs";

// Every connection carries a statement timeout and an idle-in-transaction timeout for its kind of work, so a stuck
// statement fails (and its job is retried) instead of holding locks for ever.

const setting = async (name: string, run: <T>(work: () => Promise<T>) => Promise<T> = (work) => work()) =>
  run(
    async () => (await pgPool().query<{ value: string }>(`SELECT current_setting($1) AS value`, [name])).rows[0].value,
  );
const ms = (value: string) => {
  const match = /^(\d+)(ms|s|min|h)?$/.exec(value)!;
  return Number(match[1]) * { ms: 1, s: 1000, min: 60_000, h: 3_600_000 }[match[2] ?? "ms"]!;
};

afterAll(() => overrideDatabaseTimeouts({}));
afterEach(async () => {
  await pgPool().query("DROP TABLE IF EXISTS timeout_probe CASCADE");
});

/** A statement-level trigger on `table` notes the statement_timeout each `operation` statement runs under. */
async function recordTimeoutOf(table: string, operation: string) {
  await pgPool().query(`CREATE TABLE timeout_probe (value text)`);
  await pgPool().query(`CREATE OR REPLACE FUNCTION public.timeout_probe_note() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO timeout_probe VALUES (current_setting('statement_timeout')); RETURN NULL; END $$`);
  await pgPool().query(`DROP TRIGGER IF EXISTS timeout_probe ON ${table}`);
  await pgPool().query(
    `CREATE TRIGGER timeout_probe BEFORE ${operation} ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION public.timeout_probe_note()`,
  );
  probed.push(table);
}
const probed: string[] = [];
async function recordedTimeouts(): Promise<string[]> {
  const { rows } = await pgPool().query<{ value: string }>("SELECT value FROM timeout_probe");
  for (const table of probed.splice(0)) await pgPool().query(`DROP TRIGGER IF EXISTS timeout_probe ON ${table}`);
  return rows.map((r) => r.value);
}

describe("database timeouts by kind of work", () => {
  it("web requests get the short ones, jobs (every task of the task list) the longer ones, Prisma too", async () => {
    expect(ms(await setting("statement_timeout"))).toBe(DATABASE_TIMEOUTS.web.statementTimeoutMs);
    expect(ms(await setting("idle_in_transaction_session_timeout"))).toBe(
      DATABASE_TIMEOUTS.web.idleInTransactionTimeoutMs,
    );
    expect(ms(await setting("statement_timeout", runAsJob))).toBe(DATABASE_TIMEOUTS.job.statementTimeoutMs);
    expect(ms(await setting("idle_in_transaction_session_timeout", runAsJob))).toBe(
      DATABASE_TIMEOUTS.job.idleInTransactionTimeoutMs,
    );
    const viaPrisma = await runAsJob(
      () => prisma.$queryRaw<Array<{ value: string }>>`SELECT current_setting('statement_timeout') AS value`,
    );
    expect(ms(viaPrisma[0].value)).toBe(DATABASE_TIMEOUTS.job.statementTimeoutMs);

    // A task of the task list runs as a job: a trigger notes the timeout its statement runs under.
    await recordTimeoutOf("webhook_delivery", "DELETE");
    await taskList[TASK.webhooksPruneDeliveries]!({}, fakeHelpers({ id: "1", attempts: 1 }));
    expect((await recordedTimeouts()).map(ms)).toEqual([DATABASE_TIMEOUTS.job.statementTimeoutMs]);
    expect(DATABASE_TIMEOUTS.web.statementTimeoutMs).toBeLessThan(DATABASE_TIMEOUTS.job.statementTimeoutMs);
    expect(DATABASE_TIMEOUTS.job.statementTimeoutMs).toBeLessThan(DATABASE_TIMEOUTS.ingest.statementTimeoutMs);
  });

  it("the ingest's session has the longest", async () => {
    await createConnection("timeouts.myshopify.com");
    await recordTimeoutOf("product", "INSERT");
    const line = JSON.stringify({
      id: "gid://shopify/Product/1",
      title: "A",
      status: "ACTIVE",
      updatedAt: "2026-11-01T00:00:00Z",
    });
    async function* file() {
      yield Buffer.from(line + "\n");
    }
    await runAsJob(() => ingestBulkExport({ shop: "timeouts.myshopify.com", source: file(), complete: false }));
    expect((await recordedTimeouts()).map(ms)).toEqual([DATABASE_TIMEOUTS.ingest.statementTimeoutMs]);
  });

  it("a stuck statement fails instead of hanging; a transaction left idle is ended by the server", async () => {
    await disconnectDatabase();
    overrideDatabaseTimeouts({
      web: { statementTimeoutMs: 300, idleInTransactionTimeoutMs: 300 },
      job: { statementTimeoutMs: 400, idleInTransactionTimeoutMs: 400 },
    });
    await expect(pgPool().query("SELECT pg_sleep(30)")).rejects.toThrow(/statement timeout/);
    await expect(runAsJob(() => pgPool().query("SELECT pg_sleep(30)"))).rejects.toThrow(/statement timeout/);

    const client = await pgPool().connect();
    client.on("error", () => undefined);
    await client.query("BEGIN");
    await new Promise((resolve) => setTimeout(resolve, 900));
    await expect(client.query("SELECT 1")).rejects.toThrow();
    client.release(true);
    await disconnectDatabase();
    overrideDatabaseTimeouts({});
  });
});
