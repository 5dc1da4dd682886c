import type { Change, ChangeKind } from "./changes";
import type { WebhookSummary } from "../../../emulator/webhook-summary";
import { webhookArrived, webhookArrivedOnRetry, webhookLost } from "./changes";
import type { InjectedFault } from "./fault-plan";
import type { SoakShop } from "./population";
import type { CycleResult } from "./reconciliation-cycle";
import type { DriftReport } from "./truth";

// The soak's figures, as JSON (the whole report) and as the table printed at the end. README.md, "Soak", says what
// each one means.

export interface Percentiles {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return {
    count: sorted.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted.length ? sorted[sorted.length - 1] : null,
  };
}

export interface ApiUse {
  shop: string;
  plan: string;
  requests: number;
  pointsSpent: number;
  /** What the plan restores over the measured time, plus one full bucket. */
  budget: number;
  budgetShare: number;
  throttled: number;
  /** THROTTLED answers beyond the first of each shop: a client that waits as Shopify asks gets at most one. */
  throttledAfterFirst: number;
}

export interface AlertRow {
  type: string;
  severity: string;
  shop: string | null;
  jobType: string | null;
  status: string;
  occurrences: number;
  title: string;
  /** ms after the life started (negative: before it). */
  firstSeenAtMs: number;
}

export interface SoakReport {
  options: Record<string, unknown>;
  startedAt: string;
  lifeMs: number;
  population: Array<
    Pick<SoakShop, "domain" | "plan" | "variants" | "products" | "locationIds" | "marketplaceLocationIds">
  >;
  drift: { atStart: DriftReport; afterLife: DriftReport; afterCycle: DriftReport };
  changes: {
    made: number;
    superseded: number;
    shown: number;
    notShown: number;
    byKind: Record<string, { made: number; shown: number; notShown: number }>;
    /** ms from the change in Shopify to the marketplace showing it. */
    timeToTruth: { webhookArrived: Percentiles; webhookNotArrived: Percentiles };
    /** Changes whose webhook arrived only on one of Shopify's retries (its first attempt a 5xx or a timeout). */
    webhookArrivedOnRetry: number;
    /** Changes whose webhook neither arrived nor was lost when the report was made (a retry still scheduled). */
    webhookInFlight: number;
    /** Changes none of whose webhooks reached the app: each dropped, or given up after Shopify's last retry. */
    webhookLost: {
      count: number;
      repairedBeforeCycle: number;
      repairedByCycle: number;
      notRepaired: number;
      repairMs: Percentiles;
    };
    notShownSamples: Array<Pick<Change, "shop" | "kind" | "expect"> & { webhookArrived: boolean }>;
  };
  cycle: { durationMs: number; runs: CycleResult["runs"] };
  /** The emulator's webhook deliveries over the life, the settling and the cycle: attempts, timeouts, retries. */
  webhooks: WebhookSummary;
  api: ApiUse[];
  faults: InjectedFault[];
  alerts: AlertRow[];
  /** Per fault, the alerts first seen from its injection on, of its shop (or with no shop, for a platform fault). */
  faultsSeen: Array<{ kind: string; shop: string | null; alerts: number }>;
  /** Alerts of shops no fault touched, and alerts with no shop that no platform fault explains. */
  spuriousAlerts: AlertRow[];
  /** Worker processes that exited on their own (ms after the life started), each replaced. */
  workerCrashes: Array<{ name: string; code: number | null; signal: string | null; at: number }>;
  doubleEffects: {
    /** Webhook deliveries whose job ran to success more than once (at least once allows it). */
    webhookJobsRunTwice: number;
    /** Of those, the ones whose change was applied more than once: a double effect. */
    webhookChangesAppliedTwice: number;
    /**
     * Per coalesced stream (products, inventory_levels): the receipts its batch jobs processed, and the deliveries
     * their WEBHOOK events counted. A receipt is processed once, in the transaction that applies it; a batch applied
     * twice (two jobs claiming the same receipts, a rerun applying them again) makes `counted` exceed `processed`. A
     * batch whose event was never written (its process killed after the commit) makes it fall short, which is no
     * double effect.
     */
    coalescedDeliveries: Record<string, { processed: number; counted: number }>;
    failedJobs: Array<{ task: string; error: string | null }>;
  };
  invariants: {
    driftAfterCycleZero: boolean;
    /** The product's verification after the cycle found nothing, mismatch or change in flight (the life is over). */
    verificationAfterCycleZero: boolean;
    everyChangeShown: boolean;
    noDoubleEffect: boolean;
  };
}

export function summariseChanges(changes: Change[]): SoakReport["changes"] {
  const counted = changes.filter((c) => c.supersededAt === undefined);
  const shown = counted.filter((c) => c.truthAt !== undefined);
  const byKind: SoakReport["changes"]["byKind"] = {};
  for (const change of counted) {
    const row = (byKind[change.kind as ChangeKind] ??= { made: 0, shown: 0, notShown: 0 });
    row.made++;
    if (change.truthAt !== undefined) row.shown++;
    else row.notShown++;
  }
  const delay = (c: Change) => c.truthAt! - c.madeAt;
  const lost = counted.filter(webhookLost);
  return {
    made: changes.length,
    superseded: changes.length - counted.length,
    shown: shown.length,
    notShown: counted.length - shown.length,
    byKind,
    timeToTruth: {
      webhookArrived: percentiles(shown.filter(webhookArrived).map(delay)),
      webhookNotArrived: percentiles(shown.filter((c) => !webhookArrived(c)).map(delay)),
    },
    webhookArrivedOnRetry: counted.filter(webhookArrivedOnRetry).length,
    webhookInFlight: counted.filter((c) => !webhookArrived(c) && !webhookLost(c)).length,
    webhookLost: {
      count: lost.length,
      repairedBeforeCycle: lost.filter((c) => c.truthAt !== undefined && c.shownIn !== "cycle").length,
      repairedByCycle: lost.filter((c) => c.shownIn === "cycle").length,
      notRepaired: lost.filter((c) => c.truthAt === undefined).length,
      repairMs: percentiles(lost.filter((c) => c.truthAt !== undefined).map(delay)),
    },
    notShownSamples: counted
      .filter((c) => c.truthAt === undefined)
      .slice(0, 25)
      .map((c) => ({ shop: c.shop, kind: c.kind, expect: c.expect, webhookArrived: webhookArrived(c) })),
  };
}

const seconds = (ms: number | null) => (ms === null ? "-" : `${(ms / 1000).toFixed(1)} s`);
const row = (cells: Array<string | number>, widths: number[]) =>
  cells.map((c, i) => String(c).padEnd(widths[i])).join("  ");

/** The report as the table `npm run soak` prints. */
export function formatReport(report: SoakReport): string {
  const lines: string[] = [];
  const shopCount = report.population.length;
  const variants = report.population.reduce((sum, s) => sum + s.variants, 0);
  lines.push(
    `Soak: ${shopCount} shops, ${variants.toLocaleString("en")} variants, life ${seconds(report.lifeMs)}, cycle ${seconds(report.cycle.durationMs)}`,
  );
  lines.push("");
  lines.push("Drift (listed variants whose fields differ from Shopify's)");
  for (const [label, drift] of [
    ["at start", report.drift.atStart],
    ["after life", report.drift.afterLife],
    ["after one cycle", report.drift.afterCycle],
  ] as const) {
    const fields = Object.entries(drift.byField)
      .filter(([, n]) => n > 0)
      .map(([f, n]) => `${f} ${n}`)
      .join(", ");
    lines.push(
      `  ${label.padEnd(16)} ${String(drift.driftedVariants).padStart(6)} of ${drift.listedVariants}${fields ? `   (${fields})` : ""}`,
    );
  }
  // The product's own measure of the same thing: the verification that ends the cycle, read back from Shopify.
  const verifications = report.cycle.runs.filter((r) => r.mismatched !== undefined);
  if (verifications.length > 0) {
    const mismatched = verifications.reduce((sum, r) => sum + (r.mismatched ?? 0), 0);
    const inFlight = verifications.reduce((sum, r) => sum + (r.inFlight ?? 0), 0);
    const byField: Record<string, number> = {};
    for (const run of verifications) {
      for (const [field, n] of Object.entries(run.mismatchedByField ?? {})) byField[field] = (byField[field] ?? 0) + n;
    }
    const fields = Object.entries(byField)
      .map(([field, n]) => `${field} ${n}`)
      .join(", ");
    lines.push(
      `  verification after the cycle: ${mismatched} mismatches, ${inFlight} in flight, in ${verifications.length} shops' samples${fields ? `   (${fields})` : ""}`,
    );
  }
  lines.push("");
  const c = report.changes;
  lines.push(
    `Changes made in Shopify: ${c.made} (${c.superseded} superseded before they showed), shown ${c.shown}, not shown ${c.notShown}`,
  );
  const widths = [28, 7, 9, 9, 9, 9];
  lines.push(`  ${row(["time to truth", "count", "p50", "p95", "p99", "max"], widths)}`);
  for (const [label, p] of [
    ["webhook arrived", c.timeToTruth.webhookArrived],
    ["webhook did not arrive", c.timeToTruth.webhookNotArrived],
  ] as const) {
    lines.push(`  ${row([label, p.count, seconds(p.p50), seconds(p.p95), seconds(p.p99), seconds(p.max)], widths)}`);
  }
  const w = c.webhookLost;
  lines.push(
    `  webhook lost: ${w.count} changes; repaired before the cycle ${w.repairedBeforeCycle}, by the cycle ${w.repairedByCycle}, not repaired ${w.notRepaired}; repair p50 ${seconds(w.repairMs.p50)}, max ${seconds(w.repairMs.max)}`,
  );
  lines.push(
    `  webhook arrived only on a retry: ${c.webhookArrivedOnRetry} changes; still in flight: ${c.webhookInFlight}`,
  );
  const d = report.webhooks;
  lines.push(
    `  deliveries: ${d.triggered} (${d.attempts} attempts, ${d.attemptsTimedOut} timed out); delivered ${d.delivered} (${d.deliveredOnRetry} on a retry), gave up ${d.gaveUp}, dropped ${d.dropped}, retrying ${d.retrying}, held ${d.held}`,
  );
  const failures = Object.entries(d.failedAttempts)
    .map(([what, n]) => `${what} ${n}`)
    .join(", ");
  if (failures) lines.push(`  failed attempts: ${failures}`);
  lines.push("");
  lines.push("API points per shop (life and cycle) against the plan's budget");
  const apiWidths = [26, 11, 9, 10, 11, 7, 10];
  lines.push(
    `  ${row(["shop", "plan", "requests", "points", "budget", "share", "THROTTLED (after first)"], apiWidths)}`,
  );
  for (const a of report.api) {
    lines.push(
      `  ${row([a.shop, a.plan, a.requests, a.pointsSpent, a.budget, `${(a.budgetShare * 100).toFixed(1)}%`, `${a.throttled} (${a.throttledAfterFirst})`], apiWidths)}`,
    );
  }
  lines.push("");
  lines.push(`Faults injected: ${report.faults.length}`);
  report.faults.forEach((f, i) => {
    lines.push(
      `  ${seconds(f.at).padStart(8)}  ${f.kind.padEnd(38)} ${(f.shop ?? "").padEnd(24)} alerts ${report.faultsSeen[i]?.alerts ?? 0}  ${f.detail}`,
    );
  });
  lines.push(`Alerts raised: ${report.alerts.length} (spurious: ${report.spuriousAlerts.length})`);
  for (const a of report.alerts)
    lines.push(
      `  ${a.severity.padEnd(8)} ${a.type.padEnd(20)} ${(a.shop ?? "-").padEnd(24)} x${a.occurrences} ${a.status}: ${a.title}`,
    );
  lines.push("");
  const inv = report.invariants;
  lines.push(
    `Worker processes that exited on their own (replaced): ${report.workerCrashes.length}${report.workerCrashes.map((c) => ` ${c.name} at ${seconds(c.at)} (code ${c.code})`).join(",")}`,
  );
  lines.push(
    `Webhook jobs run twice: ${report.doubleEffects.webhookJobsRunTwice}, applied twice: ${report.doubleEffects.webhookChangesAppliedTwice}; coalesced receipts processed / deliveries their jobs counted: ${Object.entries(
      report.doubleEffects.coalescedDeliveries,
    )
      .map(([stream, d]) => `${stream} ${d.processed} / ${d.counted}`)
      .join(", ")}; jobs failed for good: ${report.doubleEffects.failedJobs.length}`,
  );
  lines.push(
    `Invariants: drift 0 after the cycle ${inv.driftAfterCycleZero ? "yes" : "NO"}; verification 0 after the cycle ${inv.verificationAfterCycleZero ? "yes" : "NO"}; every change shown ${inv.everyChangeShown ? "yes" : "NO"}; no double effect ${inv.noDoubleEffect ? "yes" : "NO"}`,
  );
  return lines.join("\n");
}
