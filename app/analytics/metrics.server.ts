import type { SyncEventStatus, SyncEventType } from "@prisma/client";
import type { WorkerEvents } from "graphile-worker";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { pgPool } from "~/db.server";
import type { Queryable } from "~/lib/queryable.server";
import { logger } from "~/lib/logger.server";
import { truthShares, type TruthWindow } from "~/verification/truth-figure";
import { latestTruthFigures, type ShopTruth } from "~/verification/truth-figure.server";

// /metrics in Prometheus text format. Two kinds of figures:
// - counted in this process as things happen (jobs run/failed, sync durations): counters and histograms reset when
//   the process restarts, which Prometheus' rate() and increase() expect; with several worker processes, each one
//   is scraped (or summed) on its own;
// - read from PostgreSQL at scrape time (queue depth, open alerts, last successful sync age): the same answer from
//   any process, so a scrape of any one app process is enough for these.
//
// The registry lives on globalThis so a second load of this module (Vite dev reloads) does not register twice.

const PREFIX = "marketplace_sync_";

interface MetricsState {
  registry: Registry;
  jobs: Counter<"task" | "outcome">;
  syncDuration: Histogram<"event_type" | "status">;
  observedEmitters: WeakSet<object>;
  db: () => Queryable;
}

const GLOBAL_KEY = Symbol.for("marketplace-sync.metrics");
type GlobalWithMetrics = typeof globalThis & { [GLOBAL_KEY]?: MetricsState };

/** Runs a scrape-time query; a missing table (graphile_worker not migrated yet) yields no samples, not a 500. */
async function rowsOf<Row extends Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<Row[]> {
  try {
    return (await state().db().query<Row>(sql, values)).rows;
  } catch (error) {
    logger.warn({ scope: "metrics", err: error }, "metrics collection failed");
    return [];
  }
}

function createState(): MetricsState {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: PREFIX });

  const jobs = new Counter({
    name: `${PREFIX}jobs_total`,
    help: "Jobs the worker in this process ran, by task and outcome (success or failure)",
    labelNames: ["task", "outcome"] as const,
    registers: [registry],
  });

  const syncDuration = new Histogram({
    name: `${PREFIX}sync_duration_seconds`,
    help: "Processing time of recorded sync runs, by event type and status",
    labelNames: ["event_type", "status"] as const,
    // From a webhook's milliseconds to a large shop's bulk export (tens of minutes).
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [registry],
  });

  new Gauge({
    name: `${PREFIX}queue_jobs`,
    help: "Jobs in the graphile-worker queue by task and state (ready, scheduled, running, failed)",
    labelNames: ["task", "state"] as const,
    registers: [registry],
    async collect() {
      const rows = await rowsOf<{ task: string; state: string; n: number }>(
        `SELECT task_identifier AS task,
                CASE WHEN attempts >= max_attempts THEN 'failed'
                     WHEN locked_at IS NOT NULL THEN 'running'
                     WHEN run_at > now() THEN 'scheduled'
                     ELSE 'ready' END AS state,
                count(*)::int AS n
           FROM graphile_worker.jobs GROUP BY 1, 2`,
      );
      this.reset();
      for (const r of rows) this.set({ task: r.task, state: r.state }, r.n);
    },
  });

  new Gauge({
    name: `${PREFIX}open_alerts`,
    help: "Alerts not resolved, by type, severity and status (OPEN or ACKNOWLEDGED)",
    labelNames: ["type", "severity", "status"] as const,
    registers: [registry],
    async collect() {
      const rows = await rowsOf<{ type: string; severity: string; status: string; n: number }>(
        `SELECT type, severity::text, status::text, count(*)::int AS n FROM alert
          WHERE status <> 'RESOLVED' GROUP BY 1, 2, 3`,
      );
      this.reset();
      for (const r of rows) this.set({ type: r.type, severity: r.severity, status: r.status }, r.n);
    },
  });

  new Gauge({
    name: `${PREFIX}last_successful_sync_age_seconds`,
    help: "Seconds since the last successful sync of each kind, per active approved shop (absent: never synced)",
    labelNames: ["shop", "kind"] as const,
    registers: [registry],
    async collect() {
      const rows = await rowsOf<{ shop: string; kind: string; age: number }>(
        `SELECT m.shop, k.kind, EXTRACT(EPOCH FROM now() - k.at)::float8 AS age
           FROM merchant_connection m
          CROSS JOIN LATERAL (VALUES ('product', m.last_product_sync_at),
                                     ('inventory', m.last_inventory_sync_at),
                                     ('integrity', m.last_integrity_check_at)) AS k(kind, at)
          WHERE m.active AND m.approval_status = 'APPROVED' AND k.at IS NOT NULL`,
      );
      this.reset();
      for (const r of rows) this.set({ shop: r.shop, kind: r.kind }, r.age);
    },
  });

  // The truth figure of each shop verified in the last 7 days (app/verification), as of its latest run.
  const TRUTH_WINDOWS: TruthWindow[] = ["24h", "7d"];
  const truthGauge = (name: string, help: string, value: (truth: ShopTruth, window: TruthWindow) => number | null) =>
    new Gauge({
      name: `${PREFIX}${name}`,
      help,
      labelNames: ["shop", "window"] as const,
      registers: [registry],
      async collect() {
        const figures = await latestTruthFigures().catch((error: unknown) => {
          logger.warn({ scope: "metrics", err: error }, "metrics collection failed");
          return [];
        });
        this.reset();
        for (const truth of figures) {
          for (const window of TRUTH_WINDOWS) {
            const v = value(truth, window);
            if (v !== null) this.set({ shop: truth.shop, window }, v);
          }
        }
      },
    });
  truthGauge(
    "truth_verified_ratio",
    "Share of a shop's listed variants verified against Shopify in the window (24h, 7d)",
    (t, w) => truthShares(t.figure, w).verifiedShare,
  );
  truthGauge(
    "truth_mismatches",
    "Variant verifications in the window that differed from Shopify",
    (t, w) => t.figure[w].mismatches,
  );
  truthGauge(
    "truth_mismatch_ratio",
    "Share of the window's variant verifications that differed from Shopify",
    (t, w) => truthShares(t.figure, w).mismatchRate,
  );

  return { registry, jobs, syncDuration, observedEmitters: new WeakSet(), db: pgPool };
}

function state(): MetricsState {
  const g = globalThis as GlobalWithMetrics;
  g[GLOBAL_KEY] ??= createState();
  return g[GLOBAL_KEY];
}

export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  const { registry } = state();
  return { contentType: registry.contentType, body: await registry.metrics() };
}

/** Counts one job run. Called from the worker's events (observeWorkerEvents) or by a task wrapper. */
export function recordJobOutcome(task: string, outcome: "success" | "failure"): void {
  state().jobs.inc({ task, outcome });
}

/**
 * Counts every job the runner completes, by task. A thrown error is a failure; a task that handles its own retries
 * and returns normally counts as a success of that attempt.
 */
export function observeWorkerEvents(events: WorkerEvents): void {
  const s = state();
  if (s.observedEmitters.has(events)) return;
  s.observedEmitters.add(events);
  events.on("job:complete", ({ job, error }) => {
    recordJobOutcome(job.task_identifier, error ? "failure" : "success");
  });
}

/** Feeds the sync duration histogram; recordSyncEvent calls it for every event that reports a processing time. */
export function observeSyncDuration(eventType: SyncEventType, status: SyncEventStatus, processingTimeMs: number): void {
  state().syncDuration.observe({ event_type: eventType, status }, processingTimeMs / 1000);
}
