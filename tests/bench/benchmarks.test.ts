import { describe, expect, it } from "vitest";
import * as adminLists from "../../bench/admin-lists.bench";
import * as client from "../../bench/client.bench";
import * as dashboard from "../../bench/dashboard.bench";
import * as fleet from "../../bench/fleet.bench";
import * as integrity from "../../bench/integrity.bench";
import * as inventory from "../../bench/inventory.bench";
import * as productSync from "../../bench/product-sync.bench";
import * as webhooks from "../../bench/webhooks.bench";
import { productionBuild } from "../support/production-build";

// Every benchmark of `npm run bench`, run end to end at a tiny size, so none of them rots between the times someone
// runs them for real: each must finish and report finite figures, a baseline measured in the same run, and a goal.
// The figures themselves are not judged here (timings are for the benchmarks, never for the tests).

interface Result {
  figures: Record<string, number | string>;
  baseline?: Record<string, number | string>;
  goal?: string;
  met?: boolean;
}

function expectReport(result: Result) {
  expect(Object.keys(result.figures).length).toBeGreaterThan(2);
  for (const [name, value] of [...Object.entries(result.figures), ...Object.entries(result.baseline ?? {})]) {
    if (typeof value === "number") expect(Number.isFinite(value), name).toBe(true);
    else expect(value, name).toBeTypeOf("string");
  }
  expect(Object.keys(result.baseline ?? {}).length).toBeGreaterThan(0);
  expect(result.goal).toMatch(/\w/);
  expect(typeof result.met).toBe("boolean");
}

const log = () => undefined;

describe("npm run bench, at a tiny size", () => {
  it("client", async () => {
    expectReport(await client.run({ variants: 200, naiveBackoffMs: 10, log }));
  }, 120_000);

  it("product-sync", async () => {
    process.env.BENCH_PRODUCTS = "300";
    process.env.BENCH_BASELINE_LINES = "100";
    try {
      expectReport(await productSync.run({ log }));
    } finally {
      delete process.env.BENCH_PRODUCTS;
      delete process.env.BENCH_BASELINE_LINES;
    }
  }, 120_000);

  it("inventory", async () => {
    expectReport(await inventory.run({ variants: 2_000, log }));
  }, 120_000);

  it("integrity", async () => {
    expectReport(await integrity.run({ shops: 5, variants: 3_000, bigShopVariants: 600, log }));
  }, 120_000);

  it("admin-lists", async () => {
    expectReport(await adminLists.run({ merchants: 12, variants: 600, findings: 500, runs: 1, log }));
  }, 120_000);

  it("dashboard", async () => {
    expectReport(await dashboard.run({ events: 5_000, runs: 1, log }));
  }, 120_000);

  it("webhooks", async () => {
    const result = await webhooks.run({ deliveries: 60, concurrency: 8, build: await productionBuild(), log });
    expectReport(result);
    // At any size, every delivery of each coalesced stream is applied exactly once: a property, not a timing.
    expect(result.figures["products/update: applied exactly once"]).toBe("yes");
    expect(result.figures["inventory_levels/update: applied exactly once"]).toBe("yes");
  }, 400_000);

  it("fleet", async () => {
    const lines: string[] = [];
    const result = await fleet.run({
      shops: [4],
      processes: [1, 2],
      variantsPerShop: 20,
      progressEveryMs: 0,
      log: (line) => lines.push(line),
    });
    expectReport(result);
    // Every shop's run of every kind succeeded, with one worker process and with two: a property, not a timing.
    expect(result.figures["failed runs"]).toBe(0);
    // Like is compared with like: the reconciliation reads every level (20 variants at one location), and the hourly
    // sync after it, with one process as with two, reads a few changes, not a second full read.
    for (const [figures, processes] of [
      [result.baseline!, 1],
      [result.figures, 2],
    ] as const) {
      expect(figures[`4 reconciliation, ${processes} proc: levels read/shop`]).toBe(20);
      expect(figures[`4 inventory, ${processes} proc: levels read/shop`]).toBeLessThan(20);
    }
    // Each run logs its figures as it ends, and its progress while it runs, so a run stopped early still has them.
    for (const kind of ["first import", "reconciliation", "inventory", "integrity", "product"])
      expect(lines.some((line) => line.startsWith(`4 ${kind}, 1 proc: done in `) && /shops\/s/.test(line))).toBe(true);
    expect(lines.some((line) => / of 4 shops in \d+ s, [\d.]+ shops\/s so far/.test(line))).toBe(true);
  }, 400_000);

  it("fleet: a run may take a second per shop before the bench calls it stuck", () => {
    // 10,000 shops' first import at 1,000 shops' slowest measured rate (4.5 shops/s) takes 37 minutes on a quiet
    // machine, more on a shared one: an hour is no limit for a fleet that size.
    expect(fleet.runTimeoutMs(100)).toBe(60 * 60_000);
    expect(fleet.runTimeoutMs(10_000)).toBe(10_000 * 1_000);
  });
});
