import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgPool } from "../../app/db.server";
import { assignMarketplaceLocations } from "../../app/inventory/marketplace-locations.server";
import { syncInventory } from "../../app/inventory/sync-inventory.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { applyPendingInventoryDeliveries } from "../../app/inventory/apply-inventory-deliveries.server";
import { applyPendingProductDeliveries } from "../../app/sync/apply-product-deliveries.server";
import { insertDeliveryReceipt } from "../../app/webhooks/accept-delivery.server";
import { createAdminClient, type AdminClient } from "../../app/shopify-admin/admin-client.server";
import { BULK_PRODUCT_EXPORT_QUERY } from "../../app/shopify-admin/operations";
import { ingestBulkExport } from "../../app/sync/bulk-export-ingest.server";
import type { RunningEmulator } from "../../emulator";
import type { WebhookDelivery } from "../../emulator/webhook-sender";
import { rawGraphql, waitUntil } from "../support/emulator";
import { adjustableClock, startClockedEmulator } from "./emulated-shop";
import { createConnection } from "../support/merchants";

// What the marketplace sells is the stock at the locations assigned to it, by default the primary location
// (docs/decisions/008). Every path that writes a quantity must write that meaning: the daily export, products/*
// webhooks (an order fires products/update with Shopify's total over every location), the hourly sync and the
// inventory_levels/* webhooks, whatever order the webhooks come in.

const MINUTE = 60_000;
const clock = adjustableClock();
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startClockedEmulator(clock);
});
afterAll(async () => {
  await emulator?.stop();
  await releaseWorkerUtils();
});

interface TwoLocationShop {
  shop: string;
  token: string;
  primary: string;
  second: string;
  client: AdminClient;
}

/** A shop with two locations: one item stocked at both, one at the primary only, one at the second only. */
async function twoLocationShop(domain: string): Promise<TwoLocationShop> {
  const summary = emulator.control.createShop({ domain, plan: "PLUS", locations: ["Main warehouse", "Second store"] });
  const [primary, second] = summary.locations;
  const both = emulator.control.createProduct({
    shop: domain,
    title: "Both",
    variants: [{ available: 0 }, { available: 0 }],
  });
  emulator.control.createProduct({
    shop: domain,
    title: "Primary only",
    variants: [{ available: 40, stockedAt: [primary.id] }],
  });
  emulator.control.createProduct({
    shop: domain,
    title: "Second only",
    variants: [{ available: 7, stockedAt: [second.id] }],
  });
  emulator.control.setInventory({
    shop: domain,
    variantId: both.variants[0].id,
    locationId: primary.id,
    available: 69,
  });
  emulator.control.setInventory({ shop: domain, variantId: both.variants[0].id, locationId: second.id, available: 61 });
  emulator.control.setInventory({ shop: domain, variantId: both.variants[1].id, locationId: primary.id, available: 3 });
  emulator.control.setInventory({ shop: domain, variantId: both.variants[1].id, locationId: second.id, available: 12 });
  await createConnection(domain, { defaultLocationId: primary.legacyResourceId, selectionMode: "ALL" });
  const client = createAdminClient({
    shop: domain,
    accessToken: summary.accessToken,
    url: emulator.graphqlUrl(domain),
  });
  return { shop: domain, token: summary.accessToken, primary: primary.id, second: second.id, client };
}

/** Shopify's `available` summed over the given locations, per variant id (0 where the item is not stocked). */
function shopifyStock(shop: string, locations: string[]): Map<string, number> {
  const stock = new Map<string, number>();
  for (const product of emulator.control.listProducts({ shop, limit: 100 })) {
    for (const variant of product.variants) {
      const levels = variant.inventory.filter((l) => locations.includes(l.locationId));
      stock.set(
        String(variant.legacyResourceId),
        levels.reduce((sum, l) => sum + l.available, 0),
      );
    }
  }
  return stock;
}

/** The marketplace's quantity per variant; null (no level at its locations) sells nothing, like 0. */
async function marketplaceStock(shop: string): Promise<Map<string, number>> {
  const { rows } = await pgPool().query<{ id: string; available_quantity: number | null }>(
    "SELECT id::text, available_quantity FROM product_variant WHERE shop = $1 AND deleted_at IS NULL",
    [shop],
  );
  return new Map(rows.map((r) => [r.id, r.available_quantity ?? 0]));
}

/** The daily export, as the product sync runs it: a bulk operation, its JSONL streamed into the ingest. */
async function runExport({ shop, token }: TwoLocationShop) {
  const started = await rawGraphql(
    emulator,
    shop,
    token,
    `mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { message } } }`,
    {
      q: BULK_PRODUCT_EXPORT_QUERY,
    },
  );
  const id = (started.body.data!.bulkOperationRunQuery as { bulkOperation: { id: string } }).bulkOperation.id;
  const url = await waitUntil(async () => {
    const reply = await rawGraphql(emulator, shop, token, `query($id: ID!) { bulkOperation(id: $id) { status url } }`, {
      id,
    });
    const operation = reply.body.data!.bulkOperation as { status: string; url: string | null };
    return operation.status === "COMPLETED" ? operation.url! : null;
  });
  const response = await fetch(url);
  return ingestBulkExport({ shop, source: response.body!, complete: true, now: clock.now });
}

/**
 * Applies captured webhooks as the routes and jobs do: each recorded with its payload (its receipt: a delivery twice
 * in one call is recorded once), then the shop's coalescing jobs' batches, so one call's deliveries are one batch.
 * Each call's receipts are its own (the webhook id and the call), so an ordering delivered again is new deliveries.
 */
let deliveryCalls = 0;
async function deliver(shop: string, deliveries: WebhookDelivery[]) {
  deliveryCalls += 1;
  for (const d of deliveries) {
    await insertDeliveryReceipt(
      pgPool(),
      { webhookId: `${d.id}/${deliveryCalls}`, shop, topic: d.topic, triggeredAt: d.triggeredAt },
      d.payload,
    );
  }
  await applyPendingProductDeliveries(shop);
  await applyPendingInventoryDeliveries(shop);
}

/** Webhooks are held (not sent) so the test decides their order; returns what `action` made Shopify send. */
async function webhooksOf(shop: string, action: () => void): Promise<WebhookDelivery[]> {
  const before = emulator.control.webhookDeliveries({ shop }).length;
  action();
  await emulator.control.waitForWebhooks();
  return emulator.control.webhookDeliveries({ shop }).slice(before);
}

function orderings(deliveries: WebhookDelivery[]): Array<[string, WebhookDelivery[]]> {
  const shuffled = [...deliveries].sort((a, b) => (a.id < b.id ? -1 : 1));
  return [
    ["as sent", deliveries],
    ["reversed", [...deliveries].reverse()],
    ["shuffled and each twice", [...shuffled, ...deliveries]],
  ];
}

describe("a two-location shop: the marketplace's stock is the assigned locations' stock after every path", () => {
  it("by default the primary location: hourly sync, daily export, an order's webhooks in any order, the export again", async () => {
    const shop = await twoLocationShop("two-locations.myshopify.com");
    const assigned = [shop.primary];

    await runExport(shop);
    await syncInventory({ shop: shop.shop, client: shop.client, now: clock.now });
    expect(await marketplaceStock(shop.shop)).toEqual(shopifyStock(shop.shop, assigned));

    // The export carries Shopify's total over every location (inventoryQuantity): it must not become the stock.
    clock.advance(MINUTE);
    await runExport(shop);
    expect(await marketplaceStock(shop.shop)).toEqual(shopifyStock(shop.shop, assigned));
    // The next hourly run reads no change, so a wrong quantity would have stayed.
    clock.advance(MINUTE);
    await syncInventory({ shop: shop.shop, client: shop.client, now: clock.now });
    expect(await marketplaceStock(shop.shop)).toEqual(shopifyStock(shop.shop, assigned));

    // Two orders at the primary location: inventory_levels/update and products/update (with the total) each.
    const [both] = emulator.control.listProducts({ shop: shop.shop, limit: 1 });
    const snapshot = await marketplaceStock(shop.shop);
    const { rows: levelsBefore } = await pgPool().query("SELECT * FROM inventory_level WHERE shop = $1", [shop.shop]);
    clock.advance(MINUTE);
    const first = await webhooksOf(shop.shop, () =>
      emulator.control.placeOrder({
        shop: shop.shop,
        lines: [{ variantId: both.variants[0].id, quantity: 2 }],
        notify: true,
      }),
    );
    clock.advance(MINUTE);
    const second = await webhooksOf(shop.shop, () =>
      emulator.control.placeOrder({
        shop: shop.shop,
        lines: [
          { variantId: both.variants[0].id, quantity: 5 },
          { variantId: both.variants[1].id, quantity: 1 },
        ],
        notify: true,
      }),
    );
    const deliveries = [...first, ...second];
    expect(new Set(deliveries.map((d) => d.topic))).toEqual(new Set(["inventory_levels/update", "products/update"]));
    expect(shopifyStock(shop.shop, assigned).get(String(both.variants[0].legacyResourceId))).toBe(62);

    for (const [, ordered] of orderings(deliveries)) {
      // Each ordering starts from the stock before the orders.
      for (const [id, quantity] of snapshot) {
        await pgPool().query("UPDATE product_variant SET available_quantity = $3 WHERE shop = $1 AND id = $2", [
          shop.shop,
          id,
          quantity,
        ]);
      }
      await pgPool().query("DELETE FROM inventory_level WHERE shop = $1", [shop.shop]);
      await pgPool().query(
        `INSERT INTO inventory_level SELECT * FROM jsonb_populate_recordset(NULL::inventory_level, $1::jsonb)`,
        [JSON.stringify(levelsBefore)],
      );
      await deliver(shop.shop, ordered);
      expect(await marketplaceStock(shop.shop)).toEqual(shopifyStock(shop.shop, assigned));
    }

    clock.advance(MINUTE);
    await runExport(shop);
    await syncInventory({ shop: shop.shop, client: shop.client, now: clock.now });
    expect(await marketplaceStock(shop.shop)).toEqual(shopifyStock(shop.shop, assigned));
  });

  it("with both locations assigned, the sum of both; a disconnect and a connect, in either order, keep it true", async () => {
    const shop = await twoLocationShop("both-assigned.myshopify.com");
    await runExport(shop);
    const locations = emulator.control.getShop({ shop: shop.shop }).locations;
    await assignMarketplaceLocations(
      shop.shop,
      locations.map((l) => BigInt(l.legacyResourceId)),
    );
    const assigned = [shop.primary, shop.second];

    await syncInventory({ shop: shop.shop, client: shop.client, now: clock.now });
    expect(await marketplaceStock(shop.shop)).toEqual(shopifyStock(shop.shop, assigned));

    // The primary-only item becomes stocked at the second store too; the second-only one leaves it.
    const products = emulator.control.listProducts({ shop: shop.shop, limit: 3 });
    const primaryOnly = products.find((p) => p.title === "Primary only")!.variants[0];
    const secondOnly = products.find((p) => p.title === "Second only")!.variants[0];
    clock.advance(MINUTE);
    const deliveries = await webhooksOf(shop.shop, () => {
      emulator.control.connectInventory({
        shop: shop.shop,
        variantId: primaryOnly.id,
        locationId: shop.second,
        available: 9,
        notify: true,
      });
      emulator.control.disconnectInventory({
        shop: shop.shop,
        variantId: secondOnly.id,
        locationId: shop.second,
        notify: true,
      });
    });
    expect(deliveries.map((d) => d.topic).sort()).toEqual(["inventory_levels/connect", "inventory_levels/disconnect"]);
    await deliver(shop.shop, [...deliveries].reverse());
    await deliver(shop.shop, deliveries);
    expect(await marketplaceStock(shop.shop)).toEqual(shopifyStock(shop.shop, assigned));

    // The daily export and a products/update afterwards change nothing of it.
    clock.advance(MINUTE);
    await runExport(shop);
    const update = await webhooksOf(shop.shop, () =>
      emulator.control.updateVariant({ shop: shop.shop, variantId: primaryOnly.id, price: "11.00", notify: true }),
    );
    await deliver(shop.shop, update);
    expect(await marketplaceStock(shop.shop)).toEqual(shopifyStock(shop.shop, assigned));
  });

  it("an item disconnected and connected again within one second is stocked again, by the webhooks and by a full read", async () => {
    const shop = await twoLocationShop("reconnected.myshopify.com");
    await runExport(shop);
    await syncInventory({ shop: shop.shop, client: shop.client, now: clock.now });
    const primaryOnly = emulator.control
      .listProducts({ shop: shop.shop, limit: 3 })
      .find((p) => p.title === "Primary only")!.variants[0];
    // 100 ms into a second: both changes land in it (Shopify's updated_at has whole seconds).
    clock.advance(MINUTE + 1_000 - (clock.now().getTime() % 1_000) + 100);
    const deliveries = await webhooksOf(shop.shop, () => {
      emulator.control.disconnectInventory({
        shop: shop.shop,
        variantId: primaryOnly.id,
        locationId: shop.primary,
        notify: true,
      });
      emulator.control.connectInventory({
        shop: shop.shop,
        variantId: primaryOnly.id,
        locationId: shop.primary,
        available: 9,
        notify: true,
      });
    });
    expect(deliveries.map((d) => d.topic)).toEqual(["inventory_levels/disconnect", "inventory_levels/connect"]);
    await deliver(shop.shop, deliveries);
    expect((await marketplaceStock(shop.shop)).get(String(primaryOnly.legacyResourceId))).toBe(9);

    clock.advance(MINUTE);
    await syncInventory({ shop: shop.shop, client: shop.client, now: clock.now, reconcile: true });
    expect(await marketplaceStock(shop.shop)).toEqual(shopifyStock(shop.shop, [shop.primary]));
  });
});
