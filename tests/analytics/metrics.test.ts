import { EventEmitter } from "node:events";
import type { WorkerEvents } from "graphile-worker";
import { runMigrations } from "graphile-worker";
import { beforeAll, describe, expect, it } from "vitest";
import { observeWorkerEvents, renderMetrics } from "../../app/analytics/metrics.server";
import { recordSyncEvent } from "../../app/analytics/record-sync-event.server";
import { pgPool } from "../../app/db.server";
import { resetEnvCache } from "../../app/env.server";
import { loader } from "../../app/routes/metrics";

function sample(body: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = body
    .split("\n")
    .find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.slice(0, l.indexOf("}")).includes(w)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

beforeAll(async () => {
  await runMigrations({ connectionString: process.env.DATABASE_URL });
});

describe("renderMetrics", () => {
  it("reports jobs by task, sync durations, queue depth, open alerts and last successful sync age", async () => {
    const events = new EventEmitter() as WorkerEvents;
    observeWorkerEvents(events);
    observeWorkerEvents(events); // twice: still counted once
    const job = (task: string) => ({ task_identifier: task }) as never;
    events.emit("job:complete", { job: job("product-sync"), error: null } as never);
    events.emit("job:complete", { job: job("product-sync"), error: new Error("boom") } as never);
    events.emit("job:complete", { job: job("inventory-sync"), error: null } as never);

    await recordSyncEvent({
      shop: "m.myshopify.com",
      eventType: "PRODUCT_SYNC",
      status: "SUCCESS",
      processingTimeMs: 1500,
    });
    await recordSyncEvent({
      shop: "m.myshopify.com",
      eventType: "PRODUCT_SYNC",
      status: "SUCCESS",
      processingTimeMs: 40_000,
    });

    const db = pgPool();
    await db.query(`SELECT graphile_worker.add_job('product-sync', '{}'::json)`);
    await db.query(`SELECT graphile_worker.add_job('product-sync', '{}'::json)`);
    await db.query(`SELECT graphile_worker.add_job('inventory-sync', '{}'::json, run_at => now() + interval '1 hour')`);
    await db.query(
      `INSERT INTO alert (type, severity, shop, dedupe_key, title, status) VALUES
         ('SYNC_FAILURE', 'CRITICAL', 'm.myshopify.com', 'k1', 't', 'OPEN'),
         ('SYNC_FAILURE', 'CRITICAL', 'n.myshopify.com', 'k2', 't', 'OPEN'),
         ('SYNC_STALE', 'WARNING', 'm.myshopify.com', 'k3', 't', 'RESOLVED')`,
    );
    await db.query(
      `INSERT INTO merchant_connection (shop, merchant_id, approval_status, last_product_sync_at, updated_at)
       VALUES ('m.myshopify.com', 'm', 'APPROVED', now() - interval '2 hours', now()),
              ('p.myshopify.com', 'p', 'PENDING', now() - interval '2 hours', now())`,
    );

    const { contentType, body } = await renderMetrics();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(body, "marketplace_sync_jobs_total", { task: "product-sync", outcome: "success" })).toBe(1);
    expect(sample(body, "marketplace_sync_jobs_total", { task: "product-sync", outcome: "failure" })).toBe(1);
    expect(sample(body, "marketplace_sync_jobs_total", { task: "inventory-sync", outcome: "success" })).toBe(1);
    const hist = { event_type: "PRODUCT_SYNC", status: "SUCCESS" };
    expect(sample(body, "marketplace_sync_sync_duration_seconds_count", hist)).toBe(2);
    expect(sample(body, "marketplace_sync_sync_duration_seconds_sum", hist)).toBe(41.5);
    expect(sample(body, "marketplace_sync_sync_duration_seconds_bucket", { ...hist, le: "2.5" })).toBe(1);
    expect(sample(body, "marketplace_sync_sync_duration_seconds_bucket", { ...hist, le: "60" })).toBe(2);
    expect(sample(body, "marketplace_sync_queue_jobs", { task: "product-sync", state: "ready" })).toBe(2);
    expect(sample(body, "marketplace_sync_queue_jobs", { task: "inventory-sync", state: "scheduled" })).toBe(1);
    expect(
      sample(body, "marketplace_sync_open_alerts", { type: "SYNC_FAILURE", severity: "CRITICAL", status: "OPEN" }),
    ).toBe(2);
    expect(sample(body, "marketplace_sync_open_alerts", { type: "SYNC_STALE" })).toBeUndefined();
    const age = sample(body, "marketplace_sync_last_successful_sync_age_seconds", {
      shop: "m.myshopify.com",
      kind: "product",
    });
    expect(age).toBeGreaterThanOrEqual(7200);
    expect(age).toBeLessThan(7300);
    expect(
      sample(body, "marketplace_sync_last_successful_sync_age_seconds", { shop: "p.myshopify.com" }),
    ).toBeUndefined();
  });
});

describe("GET /metrics", () => {
  const call = (headers: Record<string, string> = {}) =>
    loader({ request: new Request("http://localhost/metrics", { headers }), params: {}, context: {} });

  it("answers 401 without the Bearer token when METRICS_TOKEN is set, and the metrics with it", async () => {
    process.env.METRICS_TOKEN = "metrics-token-0123456789";
    resetEnvCache();
    try {
      expect((await call()).status).toBe(401);
      expect((await call({ authorization: "Bearer wrong-token-0123456789" })).status).toBe(401);
      const ok = await call({ authorization: "Bearer metrics-token-0123456789" });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain("marketplace_sync_open_alerts");
    } finally {
      delete process.env.METRICS_TOKEN;
      resetEnvCache();
    }
    expect((await call()).status).toBe(200);
  });
});
