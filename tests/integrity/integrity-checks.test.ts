import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import type { CheckName } from "../../app/integrity/check";
import { resolveFinding } from "../../app/integrity/resolve-finding.server";
import { runIntegrityCheck } from "../../app/integrity/run-integrity-check.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { TASK } from "../../app/jobs/task-names";
import { DAY, insertProduct, insertVariant, shopRows } from "./fixtures";
import { createConnection, merchantIdOf } from "../support/merchants";
import { queuedJobs } from "../support/jobs";

const NOW = new Date("2026-12-06T02:00:00Z");
let shopCounter = 0;
let shop: string;

beforeEach(async () => {
  shop = `shop-${++shopCounter}.myshopify.com`;
  await createConnection(shop, { lastCompleteExportAt: new Date(NOW.getTime() - DAY) });
});

afterAll(async () => {
  await releaseWorkerUtils();
});

async function findings(forShop: string, check?: CheckName) {
  return prisma.integrityFinding.findMany({
    where: { shop: forShop, ...(check ? { check } : {}) },
    orderBy: { entityId: "asc" },
  });
}

function resultOf(report: Awaited<ReturnType<typeof runIntegrityCheck>>, check: CheckName) {
  const result = report.checks.find((c) => c.check === check);
  if (!result) throw new Error(`no result for ${check}`);
  return result;
}

async function variant(forShop: string, id: number) {
  const { rows } = await pgPool().query(`SELECT * FROM product_variant WHERE shop = $1 AND id = $2`, [forShop, id]);
  return rows[0];
}

async function product(forShop: string, id: number) {
  const { rows } = await pgPool().query(`SELECT * FROM product WHERE shop = $1 AND id = $2`, [forShop, id]);
  return rows[0];
}

describe("a healthy shop", () => {
  it("finds nothing and writes no findings", async () => {
    await insertProduct(shop, 1);
    await insertVariant(shop, 11, 1);
    await insertVariant(shop, 12, 1, { compareAtPrice: "12.00" });
    const report = await runIntegrityCheck({ shop, now: NOW });
    expect(report.totals).toEqual({ found: 0, fixed: 0, newlyFlagged: 0, cleared: 0 });
    expect(report.checks).toHaveLength(9);
    expect(await findings(shop)).toHaveLength(0);
  });
});

describe("orphaned_variant", () => {
  it("soft-removes variants whose product is missing or deleted, with a finding per variant", async () => {
    await insertProduct(shop, 1);
    await insertProduct(shop, 2, { deletedAt: new Date(NOW.getTime() - DAY), listed: false });
    await insertVariant(shop, 11, 1); // healthy
    await insertVariant(shop, 21, 2); // parent deleted
    await insertVariant(shop, 31, 3); // parent missing
    await insertVariant(shop, 32, 3, { deletedAt: new Date(NOW.getTime() - DAY) }); // already removed: left alone

    const report = await runIntegrityCheck({ shop, now: NOW, checks: ["orphaned_variant"] });

    expect(resultOf(report, "orphaned_variant")).toMatchObject({ found: 2, fixed: 2, sampleIds: ["21", "31"] });
    expect((await variant(shop, 11)).deleted_at).toBeNull();
    expect((await variant(shop, 21)).deleted_at).toEqual(NOW);
    expect((await variant(shop, 31)).deleted_at).toEqual(NOW);
    const rows = await findings(shop, "orphaned_variant");
    expect(rows.map((f) => [f.entityId, f.outcome, f.entityType])).toEqual([
      [21n, "FIXED", "variant"],
      [31n, "FIXED", "variant"],
    ]);
    expect(rows[0].message).toContain("was deleted");
    expect(rows[1].message).toContain("does not exist");
  });

  it("records the row before and after the repair (the audit trail)", async () => {
    await insertVariant(shop, 31, 3, { price: "7.50", availableQuantity: 4 });
    const report = await runIntegrityCheck({ shop, now: NOW, checks: ["orphaned_variant"] });
    const [finding] = await findings(shop, "orphaned_variant");
    expect(finding.runId).toBe(report.runId);
    const before = finding.before as Record<string, unknown>;
    const after = finding.after as Record<string, unknown>;
    expect(before).toMatchObject({ id: 31, product_id: 3, deleted_at: null, price: 7.5, available_quantity: 4 });
    expect(after).toMatchObject({ id: 31, product_id: 3, price: 7.5, available_quantity: 4 });
    expect(new Date(after.deleted_at as string)).toEqual(NOW);
    // Replaying the audit: the only column the repair changed is deleted_at.
    const changed = Object.keys(after).filter((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]));
    expect(changed).toEqual(["deleted_at"]);
  });

  it("never touches another shop's orphans (the plan removed every merchant's)", async () => {
    const other = "other-orphans.myshopify.com";
    await createConnection(other);
    await insertVariant(other, 31, 3); // the same ids, orphaned too
    await insertVariant(shop, 31, 3);
    await runIntegrityCheck({ shop, now: NOW });
    expect((await variant(shop, 31)).deleted_at).toEqual(NOW);
    expect((await variant(other, 31)).deleted_at).toBeNull();
    expect(await findings(other)).toHaveLength(0);
  });
});

describe("inactive_selected_product", () => {
  it("lists selected products that are ACTIVE in Shopify but not listed, and only those", async () => {
    await insertProduct(shop, 1, { listed: false }); // selected, ACTIVE, unlisted: repaired
    await insertProduct(shop, 2, { listed: false, status: "DRAFT" }); // not active in Shopify
    await insertProduct(shop, 3, { listed: false, selected: false }); // not selected
    await insertProduct(shop, 4, { listed: false, deletedAt: NOW }); // deleted
    for (const id of [1, 2, 3, 4]) await insertVariant(shop, id * 10, id);

    const report = await runIntegrityCheck({ shop, now: NOW, checks: ["inactive_selected_product"] });

    expect(resultOf(report, "inactive_selected_product")).toMatchObject({ found: 1, fixed: 1 });
    expect((await product(shop, 1)).listed).toBe(true);
    expect((await product(shop, 2)).listed).toBe(false);
    expect((await product(shop, 3)).listed).toBe(false);
    const [finding] = await findings(shop, "inactive_selected_product");
    expect(finding).toMatchObject({ entityId: 1n, outcome: "FIXED", entityType: "product" });
    expect((finding.before as { listed: boolean }).listed).toBe(false);
    expect((finding.after as { listed: boolean }).listed).toBe(true);
  });

  it("treats every product as selected when the shop lists all of them", async () => {
    await pgPool().query(`UPDATE merchant_connection SET selection_mode = 'ALL' WHERE shop = $1`, [shop]);
    await insertProduct(shop, 3, { listed: false, selected: false });
    await insertVariant(shop, 30, 3);
    await runIntegrityCheck({ shop, now: NOW, checks: ["inactive_selected_product"] });
    expect((await product(shop, 3)).listed).toBe(true);
  });

  it("handles an empty selection without error (the plan's IN ())", async () => {
    await insertProduct(shop, 1, { selected: false, listed: false });
    await insertVariant(shop, 10, 1);
    const report = await runIntegrityCheck({ shop, now: NOW });
    expect(resultOf(report, "inactive_selected_product").found).toBe(0);
    expect(report.totals.found).toBe(0);
  });
});

describe("deleted_product_listed", () => {
  it("unlists products deleted in Shopify", async () => {
    await insertProduct(shop, 1, { deletedAt: new Date(NOW.getTime() - DAY), listed: true });
    await insertProduct(shop, 2, { listed: true });
    await insertVariant(shop, 20, 2);
    const report = await runIntegrityCheck({ shop, now: NOW, checks: ["deleted_product_listed"] });
    expect(resultOf(report, "deleted_product_listed")).toMatchObject({ found: 1, fixed: 1, sampleIds: ["1"] });
    expect((await product(shop, 1)).listed).toBe(false);
    expect((await product(shop, 2)).listed).toBe(true);
    const [finding] = await findings(shop, "deleted_product_listed");
    expect(finding.before).toMatchObject({ listed: true });
    expect(finding.after).toMatchObject({ listed: false });
  });
});

describe("missing_selected_product", () => {
  it("queues one product sync of the shop for selected products whose data never arrived", async () => {
    await insertProduct(shop, 1, { shopifyUpdatedAt: null, listed: false }); // a bare selection
    await insertProduct(shop, 2); // selected, but no variants
    await insertProduct(shop, 3); // complete
    await insertVariant(shop, 30, 3);

    const report = await runIntegrityCheck({ shop, now: NOW, checks: ["missing_selected_product"] });

    expect(resultOf(report, "missing_selected_product")).toMatchObject({ found: 2, fixed: 2, sampleIds: ["1", "2"] });
    const jobs = await queuedJobs(TASK.productSync);
    expect(jobs.filter((j) => j.payload.shop === shop)).toHaveLength(1);
    expect(jobs.find((j) => j.payload.shop === shop)).toMatchObject({ key: `${TASK.productSync}:${shop}` });
    const rows = await findings(shop, "missing_selected_product");
    expect(rows.map((f) => f.outcome)).toEqual(["FIXED", "FIXED"]);
    expect(rows[0].after).toEqual({ action: "product_sync_queued" });
  });

  it("queues nothing when nothing is missing", async () => {
    await insertProduct(shop, 3);
    await insertVariant(shop, 30, 3);
    await runIntegrityCheck({ shop, now: NOW });
    expect((await queuedJobs(TASK.productSync)).filter((j) => j.payload.shop === shop)).toHaveLength(0);
  });
});

describe("invalid_price", () => {
  it("flags missing, zero and negative prices, never changes them, and raises ONE alert listing them", async () => {
    await insertProduct(shop, 1);
    await insertVariant(shop, 11, 1, { price: null });
    await insertVariant(shop, 12, 1, { price: "0.00" });
    await insertVariant(shop, 13, 1, { price: "-1.00" });
    await insertVariant(shop, 14, 1, { price: "0.01" });

    const report = await runIntegrityCheck({ shop, now: NOW });

    expect(resultOf(report, "invalid_price")).toMatchObject({ found: 3, fixed: 0, newlyFlagged: 3 });
    expect((await variant(shop, 11)).price).toBeNull();
    expect((await variant(shop, 13)).price).toBe("-1.00");
    const rows = await findings(shop, "invalid_price");
    expect(rows.map((f) => [f.entityId, f.outcome])).toEqual([
      [11n, "FLAGGED"],
      [12n, "FLAGGED"],
      [13n, "FLAGGED"],
    ]);
    expect(rows[0].after).toBeNull();

    const alerts = await prisma.alert.findMany({ where: { shop, type: "DATA_INTEGRITY_ISSUE" } });
    expect(alerts).toHaveLength(1);
    const data = alerts[0].data as { count: number; variants: { id: string }[] };
    expect(data.count).toBe(3);
    expect(data.variants.map((v) => v.id)).toEqual(["11", "12", "13"]);
    expect(report.priceAlert).toBe("opened");
  });

  it("raises no alert when every price is valid", async () => {
    await insertProduct(shop, 1);
    await insertVariant(shop, 11, 1);
    await runIntegrityCheck({ shop, now: NOW });
    expect(await prisma.alert.count({ where: { shop } })).toBe(0);
  });
});

describe("flags", () => {
  it("flags duplicate SKUs, negative inventory and compare-at prices below the price", async () => {
    await insertProduct(shop, 1);
    await insertProduct(shop, 2);
    await insertVariant(shop, 11, 1, { sku: "DUP" });
    await insertVariant(shop, 21, 2, { sku: "DUP" });
    await insertVariant(shop, 12, 1, { sku: "" }); // blank SKUs are not duplicates of each other
    await insertVariant(shop, 22, 2, { sku: "" });
    await insertVariant(shop, 13, 1, { availableQuantity: -3 });
    await insertVariant(shop, 14, 1, { price: "20.00", compareAtPrice: "15.00" });
    await insertVariant(shop, 15, 1, { price: "20.00", compareAtPrice: "25.00" });

    const report = await runIntegrityCheck({ shop, now: NOW });

    expect(resultOf(report, "duplicate_sku")).toMatchObject({ found: 2, sampleIds: ["11", "21"] });
    expect(resultOf(report, "negative_inventory")).toMatchObject({ found: 1, sampleIds: ["13"] });
    expect(resultOf(report, "compare_at_below_price")).toMatchObject({ found: 1, sampleIds: ["14"] });
    expect((await findings(shop, "duplicate_sku"))[0].message).toContain("'DUP' is shared by 2 variants");
    expect((await variant(shop, 13)).available_quantity).toBe(-3);
    expect((await variant(shop, 14)).compare_at_price).toBe("15.00");
  });

  it("flags selected products not synced for longer than the threshold", async () => {
    await pgPool().query(`UPDATE merchant_connection SET last_complete_export_at = $2 WHERE shop = $1`, [
      shop,
      new Date(NOW.getTime() - 10 * DAY),
    ]);
    await insertProduct(shop, 1, { syncedAt: new Date(NOW.getTime() - 5 * DAY) });
    await insertProduct(shop, 2, { syncedAt: new Date(NOW.getTime() - 1 * DAY) });
    await insertProduct(shop, 3, { syncedAt: new Date(NOW.getTime() - 5 * DAY), selected: false });
    for (const id of [1, 2, 3]) await insertVariant(shop, id * 10, id);

    const report = await runIntegrityCheck({ shop, now: NOW, staleAfterHours: 72 });
    expect(resultOf(report, "stale_product")).toMatchObject({ found: 1, sampleIds: ["1"] });

    // A recent complete export saw every live product, changed or not.
    await pgPool().query(`UPDATE merchant_connection SET last_complete_export_at = $2 WHERE shop = $1`, [
      shop,
      new Date(NOW.getTime() - DAY),
    ]);
    const later = await runIntegrityCheck({ shop, now: NOW, staleAfterHours: 72 });
    expect(resultOf(later, "stale_product")).toMatchObject({ found: 0, cleared: 1 });
  });

  it("writes a flag once while it stands, and resolves it when the problem goes away", async () => {
    await insertProduct(shop, 1);
    await insertVariant(shop, 13, 1, { availableQuantity: -3 });
    const first = await runIntegrityCheck({ shop, now: NOW });
    const second = await runIntegrityCheck({ shop, now: new Date(NOW.getTime() + 7 * DAY) });
    expect(resultOf(first, "negative_inventory")).toMatchObject({ found: 1, newlyFlagged: 1 });
    expect(resultOf(second, "negative_inventory")).toMatchObject({ found: 1, newlyFlagged: 0 });
    expect(await findings(shop, "negative_inventory")).toHaveLength(1);

    await pgPool().query(`UPDATE product_variant SET available_quantity = 0 WHERE shop = $1 AND id = 13`, [shop]);
    const third = await runIntegrityCheck({ shop, now: new Date(NOW.getTime() + 14 * DAY) });
    expect(resultOf(third, "negative_inventory")).toMatchObject({ found: 0, cleared: 1 });
    const [finding] = await findings(shop, "negative_inventory");
    expect(finding.resolvedBy).toBe("integrity-check");
  });
});

describe("dry run", () => {
  it("reports what it would do and changes nothing", async () => {
    await insertProduct(shop, 1, { deletedAt: NOW, listed: true });
    await insertProduct(shop, 2, { listed: false });
    await insertProduct(shop, 4, { shopifyUpdatedAt: null });
    await insertVariant(shop, 20, 2, { price: "0.00" });
    await insertVariant(shop, 31, 3);
    const before = await shopRows(shop);
    const jobsBefore = await queuedJobs(TASK.productSync);

    const report = await runIntegrityCheck({ shop, now: NOW, dryRun: true });

    expect(report.dryRun).toBe(true);
    expect(resultOf(report, "deleted_product_listed")).toMatchObject({ found: 1, fixed: 0 });
    expect(resultOf(report, "orphaned_variant")).toMatchObject({ found: 1, fixed: 0 });
    expect(resultOf(report, "inactive_selected_product")).toMatchObject({ found: 1, fixed: 0 });
    expect(resultOf(report, "missing_selected_product")).toMatchObject({ found: 1, fixed: 0 });
    expect(resultOf(report, "invalid_price")).toMatchObject({ found: 1, newlyFlagged: 0 });
    expect(await shopRows(shop)).toEqual(before);
    expect(await queuedJobs(TASK.productSync)).toEqual(jobsBefore);
    expect(await prisma.alert.count({ where: { shop } })).toBe(0);
    expect(await prisma.syncEvent.count({ where: { shop } })).toBe(0);
    const rows = await findings(shop);
    expect(rows.map((f) => f.outcome)).toEqual(["WOULD_FIX", "WOULD_FIX", "WOULD_FIX", "WOULD_FIX"]);
    expect(rows.every((f) => f.after === null)).toBe(true);
  });
});

describe("the run", () => {
  it("records a DATA_INTEGRITY SyncEvent with counts per check and stamps the connection", async () => {
    await insertProduct(shop, 1);
    await insertVariant(shop, 11, 1, { price: null });
    await insertVariant(shop, 31, 3);
    const report = await runIntegrityCheck({ shop, now: NOW });
    const [event] = await prisma.syncEvent.findMany({ where: { shop } });
    expect(event).toMatchObject({
      eventType: "DATA_INTEGRITY",
      status: "SUCCESS",
      itemCount: 2,
      merchantId: merchantIdOf(shop),
    });
    const metadata = event.metadata as { runId: string; checks: Record<string, { found: number; fixed: number }> };
    expect(metadata.runId).toBe(report.runId);
    expect(metadata.checks.orphaned_variant).toMatchObject({ found: 1, fixed: 1 });
    expect(metadata.checks.invalid_price).toMatchObject({ found: 1, fixed: 0 });
    expect(Object.keys(metadata.checks)).toHaveLength(9);
    const connection = await prisma.merchantConnection.findUnique({ where: { shop } });
    expect(connection?.lastIntegrityCheckAt).toEqual(NOW);
  });

  it("checks a shop with no products without error", async () => {
    const report = await runIntegrityCheck({ shop, now: NOW });
    expect(report.skipped).toBeUndefined();
    expect(report.totals.found).toBe(0);
    expect(await prisma.syncEvent.count({ where: { shop } })).toBe(1);
  });

  it("skips a shop without a connection, writing nothing", async () => {
    const report = await runIntegrityCheck({ shop: "gone.myshopify.com", now: NOW });
    expect(report.skipped).toBe("no-connection");
    expect(report.checks).toHaveLength(0);
    expect(await prisma.syncEvent.count({ where: { shop: "gone.myshopify.com" } })).toBe(0);
  });

  it("survives the connection being removed mid-run: later checks find nothing", async () => {
    await insertProduct(shop, 1, { deletedAt: NOW, listed: true });
    await insertVariant(shop, 31, 3);
    const report = await runIntegrityCheck({
      shop,
      now: NOW,
      afterCheck: async (result) => {
        if (result.check === "deleted_product_listed") {
          await pgPool().query(`DELETE FROM merchant_connection WHERE shop = $1`, [shop]);
        }
      },
    });
    expect(resultOf(report, "deleted_product_listed").fixed).toBe(1);
    expect(resultOf(report, "orphaned_variant").found).toBe(0);
    expect((await variant(shop, 31)).deleted_at).toBeNull();
  });

  it("checking shop A never touches shop B", async () => {
    const other = "shop-b.myshopify.com";
    await createConnection(other);
    for (const s of [shop, other]) {
      await insertProduct(s, 1, { deletedAt: NOW, listed: true });
      await insertProduct(s, 2, { listed: false });
      await insertProduct(s, 4, { shopifyUpdatedAt: null });
      await insertVariant(s, 20, 2, { price: "0.00", availableQuantity: -1, sku: "X" });
      await insertVariant(s, 21, 2, { sku: "X" });
      await insertVariant(s, 31, 3);
    }
    const otherBefore = await shopRows(other);

    const report = await runIntegrityCheck({ shop, now: NOW });

    expect(report.totals.fixed).toBeGreaterThanOrEqual(4);
    expect(await shopRows(other)).toEqual(otherBefore);
    expect(await findings(other)).toHaveLength(0);
    expect(await prisma.alert.count({ where: { shop: other } })).toBe(0);
    expect((await queuedJobs(TASK.productSync)).filter((j) => j.payload.shop === other)).toHaveLength(0);
  });
});

describe("resolveFinding", () => {
  it("marks a finding resolved once, by whom, and only within the given shop", async () => {
    await insertProduct(shop, 1);
    await insertVariant(shop, 11, 1, { price: null });
    await runIntegrityCheck({ shop, now: NOW });
    const [finding] = await findings(shop, "invalid_price");

    expect(await resolveFinding(finding.id, "someone", { shop: "not-mine.myshopify.com" })).toBeNull();
    const resolved = await resolveFinding(finding.id, "merchant@example.com", { now: NOW });
    expect(resolved).toMatchObject({ resolvedBy: "merchant@example.com", resolvedAt: NOW });
    const again = await resolveFinding(finding.id, "someone-else");
    expect(again?.resolvedBy).toBe("merchant@example.com");
  });
});
