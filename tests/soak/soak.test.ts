import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatReport } from "../../scripts/lib/soak/report";
import { runSoak } from "../../scripts/lib/soak/run-soak";
import { productionBuild } from "../support/production-build";

// The small soak: `npm run soak` at a minute of life and four shops (one per plan's rate limit), on the production
// build, with every fault of the full one (webhooks dropped, held and released late shuffled and twice, or
// reversed; throttling; 5xx bursts; an expiring token's hour up; a worker SIGKILLed; PostgreSQL restarted). It
// asserts the invariants only: after one reconciliation cycle no listed variant differs from Shopify, every change
// made in Shopify was shown, and no webhook's job ran twice to a double effect. Timings are printed, never judged.

const outputDir = mkdtempSync(path.join(tmpdir(), "marketplace-sync-soak-test-"));
afterAll(() => rmSync(outputDir, { recursive: true, force: true }));

describe("the small soak", () => {
  it("ends with drift 0 after one cycle, every change shown, nothing applied twice", async () => {
    const report = await runSoak({
      minutes: 1,
      shops: 4,
      minVariants: 100,
      maxVariants: 400,
      changesPerSecond: 2,
      bulkEditProducts: 150,
      reassignedVariants: 20,
      seed: 18,
      build: await productionBuild(),
      outputDir,
      cycleTimeoutMs: 180_000,
      log: (line) => console.info(`[soak] ${line}`),
    });
    console.info(formatReport(report));

    expect(report.faults.map((f) => f.kind).sort()).toEqual([
      "5xx-burst",
      "5xx-burst",
      "database-restarted",
      "throttled",
      "throttled",
      "token-expired",
      "webhooks-delayed-duplicated-shuffled",
      "webhooks-delayed-reversed",
      "webhooks-dropped",
      "worker-sigkilled",
    ]);
    expect(report.changes.webhookLost.count).toBeGreaterThan(0); // the dropped ones are in the measure
    // Once the webhooks have settled none is held. How many were given up, and how many changes' webhooks were still
    // being retried when the report was made, are measures (an app slower than 5 s under a burst has its deliveries
    // fail and retried; a CI run under load counted 61 changes still in flight), not invariants.
    expect(report.webhooks.held).toBe(0);
    expect(report.drift.afterCycle.samples).toEqual([]);
    expect(report.drift.afterCycle.driftedVariants).toBe(0);
    expect(report.changes.notShownSamples).toEqual([]);
    expect(report.invariants).toEqual({
      driftAfterCycleZero: true,
      verificationAfterCycleZero: true,
      everyChangeShown: true,
      noDoubleEffect: true,
    });
    // The coalesced streams' double-effect check counted something (it is not vacuous): both streams' receipts were
    // processed and their jobs' events counted them, never more than once.
    for (const stream of ["products", "inventory_levels"]) {
      const { processed, counted } = report.doubleEffects.coalescedDeliveries[stream];
      expect(processed, stream).toBeGreaterThan(0);
      expect(counted, stream).toBeGreaterThan(0);
      expect(counted, stream).toBeLessThanOrEqual(processed);
    }
    expect(report.cycle.runs.filter((r) => r.status !== "SUCCESS")).toEqual([]);
    // The product's verification runs after the repair, for every shop, and finds nothing: no mismatch, nothing in
    // flight (the life is over). The cycle waits for runs begun after it queued them (reconciliation-cycle.ts): a
    // scheduled run that read during the repair once passed for the cycle's, with 3 mismatches and the drift 0.
    const verifications = report.cycle.runs.filter((r) => r.task === "verification");
    expect(verifications.map((r) => r.shop).sort()).toEqual(report.population.map((s) => s.domain).sort());
    expect(verifications.filter((r) => r.mismatched !== 0 || r.inFlight !== 0)).toEqual([]);
  }, 900_000);
});
