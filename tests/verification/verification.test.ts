import { Logger, runTaskListOnce, type TaskList } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { syncInventory } from "../../app/inventory/sync-inventory.server";
import { enqueue, releaseWorkerUtils } from "../../app/jobs/queue.server";
import { TASK } from "../../app/jobs/task-names";
import { createProductSyncTasks } from "../../app/worker/tasks/product-sync.server";
import { createAdminClient } from "../../app/shopify-admin/admin-client.server";
import { adminClientForShop } from "../../app/shopify-admin/client-for-shop.server";
import { TRUTH_MISMATCH_ALERT } from "../../app/verification/truth-alert.server";
import { latestTruthFigure } from "../../app/verification/truth-figure.server";
import { verifyShop } from "../../app/verification/verify-shop.server";
import type { RunningEmulator } from "../../emulator";
import { adjustableClock, localQuantities, startClockedEmulator } from "../inventory/emulated-shop";
import { createTestShop } from "../support/emulator";
import { queuedJobs } from "../support/jobs";
import { createConnection } from "../support/merchants";

// Verification against the emulator over real HTTP and a real PostgreSQL: shops synced by the real product and
// inventory syncs, then changed in Shopify behind the app's back (no webhook), then verified.

const HOUR = 3_600_000;
const clock = adjustableClock();
let emulator: RunningEmulator;
const productSync = createProductSyncTasks({
  adminClientFor: (shop) => adminClientForShop(shop),
  pollDelayMs: () => 0,
});
const productSyncTasks: TaskList = {
  [TASK.productSync]: productSync.productSync,
  [TASK.productExportCheck]: productSync.productExportCheck,
};
const silent = new Logger(() => () => undefined);

beforeAll(async () => {
  emulator = await startClockedEmulator(clock);
  process.env.SHOPIFY_ADMIN_API_BASE = emulator.url;
});
afterAll(async () => {
  await releaseWorkerUtils();
  await emulator?.stop();
  delete process.env.SHOPIFY_ADMIN_API_BASE;
});

/** Runs the queued product sync jobs until the shop has one more successful PRODUCT_SYNC event. */
async function runProductSync(shop: string) {
  const before = await prisma.syncEvent.count({ where: { shop, eventType: "PRODUCT_SYNC", status: "SUCCESS" } });
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const client = await pgPool().connect();
    try {
      await runTaskListOnce({ pgPool: pgPool(), logger: silent }, productSyncTasks, client).promise;
    } finally {
      client.release();
    }
    if ((await prisma.syncEvent.count({ where: { shop, eventType: "PRODUCT_SYNC", status: "SUCCESS" } })) > before)
      return;
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  throw new Error(`no product sync of ${shop} finished`);
}

let shops = 0;
/** A shop of `products` x 2 variants, every product listed, synced by the real product sync and inventory sync. */
async function syncedShop(products: number, plan: "STANDARD" | "PLUS" = "PLUS", inventorySynced = true) {
  const shop = `verify-${++shops}.myshopify.com`;
  const summary = createTestShop(emulator, { domain: shop, products, variantsPerProduct: 2, plan, locations: 2 });
  emulator.control.setWebhookMode({ shop, mode: "drop" }); // behind the app's back: no webhook reaches it
  await createConnection(shop, { selectionMode: "ALL" });
  await prisma.session.create({
    data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: summary.accessToken },
  });
  await enqueue(TASK.productSync, { shop, reason: "manual" });
  await runProductSync(shop);
  const client = createAdminClient({ shop, accessToken: summary.accessToken, url: emulator.graphqlUrl(shop) });
  if (inventorySynced) await syncInventory({ shop, client, now: clock.now });
  const locationId = summary.locations[0].legacyResourceId;
  return {
    shop,
    client,
    locationId,
    variants: emulator.control
      .listProducts({ shop, limit: products })
      .flatMap((p) => p.variants.map((v) => ({ ...v, productId: p.legacyResourceId }))),
  };
}

const findingsOf = (shop: string) =>
  prisma.integrityFinding.findMany({ where: { shop, check: "truth_mismatch" }, orderBy: { entityId: "asc" } });

describe("verification of the marketplace's copy against Shopify", () => {
  it("finds nothing to repair in a shop in step with Shopify, and records the run and its truth figure", async () => {
    const { shop, client } = await syncedShop(4);
    const result = await verifyShop({ shop, client, now: clock.now, sampleSize: 100 });

    expect(result).toMatchObject({
      listed: 8,
      verified: 8,
      mismatched: 0,
      productSyncQueued: false,
      budgetExhausted: false,
      alerted: false,
    });
    expect(result.points.spent).toBeGreaterThan(0);
    expect(await findingsOf(shop)).toEqual([]);
    const event = await prisma.syncEvent.findFirstOrThrow({ where: { shop, eventType: "VERIFICATION" } });
    expect(event).toMatchObject({ status: "SUCCESS", itemCount: 8 });
    const truth = await latestTruthFigure(shop, clock.now());
    expect(truth?.figure).toEqual({
      listed: 8,
      "24h": { verified: 8, checks: 8, mismatches: 0 },
      "7d": { verified: 8, checks: 8, mismatches: 0 },
    });
  });

  it("waits for a shop's first inventory sync: before it the marketplace holds none of its stock to compare", async () => {
    const { shop, client } = await syncedShop(3, "PLUS", false);
    const early = await verifyShop({ shop, client, now: clock.now, sampleSize: 100, alertRate: 0.01 });
    expect(early).toMatchObject({
      skipped: "first-inventory-sync-pending",
      verified: 0,
      mismatched: 0,
      alerted: false,
    });
    expect(await findingsOf(shop)).toEqual([]);

    await syncInventory({ shop, client, now: clock.now });
    const after = await verifyShop({ shop, client, now: clock.now, sampleSize: 100, alertRate: 0.01 });
    expect(after).toMatchObject({ verified: 6, mismatched: 0, alerted: false });
    expect(after.skipped).toBeUndefined();
  });

  it("finds what changed in Shopify without a webhook, with both values, and repairs it through the sync paths", async () => {
    const { shop, client, locationId, variants } = await syncedShop(4);
    const [priced, stocked, retitled, deleted] = [variants[0], variants[2], variants[4], variants[6]];
    emulator.control.updateVariant({ shop, variantId: priced.id, price: "99.95", compareAtPrice: "120.00" });
    const stockedBefore = (await localQuantities(shop)).get(String(stocked.legacyResourceId));
    // An order that moves no level's updatedAt (the hourly filter cannot see it) and whose webhooks are dropped.
    emulator.control.placeOrder({ shop, lines: [{ variantId: stocked.id, quantity: 1, locationId }] });
    emulator.control.updateProduct({ shop, productId: retitled.productId, title: "Renamed in Shopify" });
    emulator.control.deleteProduct({ shop, productId: deleted.productId });
    clock.advance(10 * 60_000);

    const result = await verifyShop({ shop, client, now: clock.now, sampleSize: 100 });

    expect(result).toMatchObject({ verified: 8, productSyncQueued: true });
    // The retitled and the deleted product have two variants each: 1 + 1 + 2 + 2.
    expect(result.mismatched).toBe(6);
    const findings = await findingsOf(shop);
    const byVariant = new Map(findings.map((f) => [String(f.entityId), f]));
    expect(byVariant.get(String(priced.legacyResourceId))).toMatchObject({
      outcome: "FIXED",
      before: { price: priced.price, compareAtPrice: priced.compareAtPrice },
      after: { price: "99.95", compareAtPrice: "120.00" },
    });
    expect(byVariant.get(String(stocked.legacyResourceId))).toMatchObject({
      before: { sellableQuantity: stockedBefore },
      after: { sellableQuantity: stockedBefore! - 1 },
    });
    expect(byVariant.get(String(retitled.legacyResourceId))).toMatchObject({
      after: { productTitle: "Renamed in Shopify" },
    });
    expect(byVariant.get(String(deleted.legacyResourceId))).toMatchObject({
      before: { deleted: false },
      after: { deleted: true },
    });

    // The quantity is repaired at once, through the inventory sync's own apply.
    expect((await localQuantities(shop)).get(String(stocked.legacyResourceId))).toBe(stockedBefore! - 1);
    // The product fields through a product sync of the shop, queued by the run.
    expect((await queuedJobs(TASK.productSync)).filter((j) => j.payload.shop === shop)).toHaveLength(1);
    await runProductSync(shop);
    const repaired = await prisma.productVariant.findUniqueOrThrow({
      where: { shop_id: { shop, id: BigInt(priced.legacyResourceId) } },
    });
    expect([repaired.price?.toFixed(2), repaired.compareAtPrice?.toFixed(2)]).toEqual(["99.95", "120.00"]);
    expect(
      await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop, id: BigInt(retitled.productId) } } }),
    ).toMatchObject({ title: "Renamed in Shopify" });
    expect(
      await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop, id: BigInt(deleted.productId) } } }),
    ).toMatchObject({ deletedAt: expect.any(Date) });

    // The next verification finds the copy true again.
    clock.advance(HOUR);
    const again = await verifyShop({ shop, client, now: clock.now, sampleSize: 100 });
    expect(again).toMatchObject({ listed: 6, verified: 6, mismatched: 0, productSyncQueued: false });
  });

  it("rotates: each run takes the variants verified longest ago, so a few runs verify every listed variant", async () => {
    const { shop, client } = await syncedShop(6); // 12 variants
    const verifiedBy: string[][] = [];
    for (let run = 0; run < 3; run++) {
      clock.advance(HOUR);
      const runStarted = clock.now();
      const result = await verifyShop({ shop, client, now: clock.now, sampleSize: 5 });
      expect(result.verified).toBe(5);
      const { rows } = await pgPool().query<{ id: string }>(
        `SELECT id::text FROM product_variant WHERE shop = $1 AND verified_at >= $2 ORDER BY id`,
        [shop, runStarted],
      );
      verifiedBy.push(rows.map((r) => r.id));
    }
    // Runs 1 and 2: ten different variants; run 3: the two never verified, then the three verified longest ago.
    expect(new Set([...verifiedBy[0], ...verifiedBy[1]]).size).toBe(10);
    expect(verifiedBy[2]).toHaveLength(5);
    expect(verifiedBy[2].filter((id) => verifiedBy[0].includes(id))).toHaveLength(3);
    const never = await prisma.productVariant.count({ where: { shop, verifiedAt: null } });
    expect(never).toBe(0);
    const truth = await latestTruthFigure(shop, clock.now());
    expect(truth?.figure["7d"]).toMatchObject({ verified: 12, checks: 15 });
  });

  it("stays within its share of the shop's points, by the cost Shopify reports, and leaves the rest for the next run", async () => {
    const { shop, client } = await syncedShop(20, "STANDARD"); // 40 variants; Basic: 100 points a second
    // 0.05% of an hour's 360,000 points: 180, a few requests' worth, far from the 40 variants' cost.
    const share = 0.0005;
    clock.advance(HOUR);
    const result = await verifyShop({ shop, client, now: clock.now, sampleSize: 40, budgetShare: share });

    expect(result.points.allowance).toBe(180);
    expect(result.budgetExhausted).toBe(true);
    expect(result.verified).toBeGreaterThan(0);
    expect(result.verified).toBeLessThan(40);
    expect(result.points.spent).toBeLessThanOrEqual(180);
    const event = await prisma.syncEvent.findFirstOrThrow({
      where: { shop, eventType: "VERIFICATION" },
      orderBy: { id: "desc" },
    });
    expect(event.metadata).toMatchObject({ budgetExhausted: true, pointsAllowed: 180, verified: result.verified });

    // The next run starts with what this one left.
    clock.advance(HOUR);
    const next = await verifyShop({ shop, client, now: clock.now, sampleSize: 40, budgetShare: 1 });
    expect(next).toMatchObject({ verified: 40, budgetExhausted: false });
    expect(await prisma.productVariant.count({ where: { shop, verifiedAt: null } })).toBe(0);
  });

  it("raises one alert while the 24-hour mismatch rate is above the threshold, and ends it when the rate falls", async () => {
    const { shop, client, variants } = await syncedShop(5); // 10 variants
    const alerts = () => prisma.alert.findMany({ where: { shop, type: TRUTH_MISMATCH_ALERT } });

    clock.advance(HOUR);
    await verifyShop({ shop, client, now: clock.now, sampleSize: 10, alertRate: 0.05 });
    expect(await alerts()).toEqual([]); // in step: nothing

    emulator.control.updateVariant({ shop, variantId: variants[0].id, price: "1.00" });
    emulator.control.updateVariant({ shop, variantId: variants[1].id, price: "2.00" });
    clock.advance(HOUR);
    const first = await verifyShop({ shop, client, now: clock.now, sampleSize: 10, alertRate: 0.05 });
    expect(first).toMatchObject({ mismatched: 2, alerted: true }); // 2 of the 20 checks in 24 h: 10%
    emulator.control.updateVariant({ shop, variantId: variants[2].id, price: "3.00" });
    clock.advance(HOUR);
    // Still above (the repairs are only queued): the same incident, bumped, not a second alert.
    const second = await verifyShop({ shop, client, now: clock.now, sampleSize: 10, alertRate: 0.05 });
    expect(second.alerted).toBe(true);
    const open = await alerts();
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ status: "OPEN", occurrences: 2, severity: "WARNING" });

    // A day later the mismatches have left the window (the product sync repaired them meanwhile).
    await runProductSync(shop);
    clock.advance(25 * HOUR);
    const calm = await verifyShop({ shop, client, now: clock.now, sampleSize: 10, alertRate: 0.05 });
    expect(calm).toMatchObject({ mismatched: 0, alerted: false });
    expect(await alerts()).toMatchObject([{ status: "RESOLVED" }]);
  });

  it("re-checks a difference Shopify made within the grace period next run instead of counting it or alerting", async () => {
    const { shop, client, variants } = await syncedShop(2); // 4 variants
    const alerts = () => prisma.alert.findMany({ where: { shop, type: TRUTH_MISMATCH_ALERT } });
    const verifiedAt = async (variantId: number) =>
      (await prisma.productVariant.findFirstOrThrow({ where: { shop, id: BigInt(variantId) } })).verifiedAt;
    const grace = 5 * 60_000;
    const changed = variants[0];

    // Changed in Shopify a minute ago: its webhook may still be on its way (here it never comes).
    emulator.control.updateVariant({ shop, variantId: changed.id, price: "7.00" });
    clock.advance(60_000);
    const early = await verifyShop({
      shop,
      client,
      now: clock.now,
      sampleSize: 10,
      alertRate: 0,
      inFlightGraceMs: grace,
    });
    expect(early).toMatchObject({ verified: 3, mismatched: 0, inFlight: 1, productSyncQueued: false, alerted: false });
    expect(await findingsOf(shop)).toEqual([]);
    expect(await verifiedAt(changed.legacyResourceId)).toBeNull(); // first in the rotation again
    expect(await alerts()).toEqual([]);

    // Past the grace period the difference is a mismatch: counted, found, repaired, alerted (threshold 0 here).
    clock.advance(grace);
    const later = await verifyShop({
      shop,
      client,
      now: clock.now,
      sampleSize: 1,
      alertRate: 0,
      inFlightGraceMs: grace,
    });
    expect(later).toMatchObject({ verified: 1, mismatched: 1, inFlight: 0, productSyncQueued: true, alerted: true });
    expect(await findingsOf(shop)).toMatchObject([
      { entityId: BigInt(changed.legacyResourceId), after: { price: "7.00" } },
    ]);
  });
});
