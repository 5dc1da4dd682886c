import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCatalogHealth } from "../../app/analytics/catalog-health.server";
import { pgPool } from "../../app/db.server";
import { sellableSql } from "../../app/inventory/sellable";
import { syncInventory } from "../../app/inventory/sync-inventory.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { createAdminClient } from "../../app/shopify-admin/admin-client.server";
import { BULK_PRODUCT_EXPORT_QUERY } from "../../app/shopify-admin/operations";
import { applyProductWebhook } from "../../app/sync/apply-product-webhook.server";
import { ingestBulkExport } from "../../app/sync/bulk-export-ingest.server";
import type { RunningEmulator } from "../../emulator";
import { rawGraphql, waitUntil } from "../support/emulator";
import { adjustableClock, startClockedEmulator } from "./emulated-shop";
import { createConnection } from "../support/merchants";

// InventoryItem.tracked false (Shopify does not count the stock) and ProductVariant.inventoryPolicy CONTINUE (sold
// past zero) make a variant sellable whatever its quantity, through the daily export and the inventory sync alike.

const clock = adjustableClock();
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startClockedEmulator(clock);
});
afterAll(async () => {
  await emulator?.stop();
  await releaseWorkerUtils();
});

async function shopWithUntrackedAndContinue(domain: string) {
  const summary = emulator.control.createShop({ domain, plan: "PLUS" });
  const untracked = emulator.control.createProduct({
    shop: domain,
    title: "Untracked",
    variants: [{ available: 0, tracked: false }],
  });
  const continues = emulator.control.createProduct({
    shop: domain,
    title: "Continue",
    variants: [{ available: -3, inventoryPolicy: "CONTINUE" }],
  });
  const soldOut = emulator.control.createProduct({ shop: domain, title: "Sold out", variants: [{ available: 0 }] });
  const inStock = emulator.control.createProduct({ shop: domain, title: "In stock", variants: [{ available: 5 }] });
  await createConnection(domain, { defaultLocationId: summary.locations[0].legacyResourceId, selectionMode: "ALL" });
  const ids = {
    untracked: String(untracked.variants[0].legacyResourceId),
    continues: String(continues.variants[0].legacyResourceId),
    soldOut: String(soldOut.variants[0].legacyResourceId),
    inStock: String(inStock.variants[0].legacyResourceId),
  };
  return {
    shop: domain,
    token: summary.accessToken,
    ids,
    client: createAdminClient({ shop: domain, accessToken: summary.accessToken, url: emulator.graphqlUrl(domain) }),
  };
}

async function sellable(shop: string): Promise<Record<string, boolean>> {
  const { rows } = await pgPool().query<{ id: string; sellable: boolean }>(
    `SELECT v.id::text, ${sellableSql("v")} AS sellable FROM product_variant v WHERE v.shop = $1`,
    [shop],
  );
  return Object.fromEntries(rows.map((r) => [r.id, r.sellable]));
}

async function productCreateDeliveries(shop: string) {
  for (const product of emulator.control.listProducts({ shop, limit: 10 })) {
    emulator.control.sendWebhook({ shop, topic: "products/create", productId: product.legacyResourceId });
  }
  await emulator.control.waitForWebhooks();
  return emulator.control.webhookDeliveries({ shop, topic: "products/create" });
}

async function runExport(shop: string, token: string) {
  const started = await rawGraphql(
    emulator,
    shop,
    token,
    `mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } } }`,
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
  await ingestBulkExport({ shop, source: (await fetch(url)).body!, complete: true });
}

describe("untracked and continue-selling variants", () => {
  it("are sellable at any quantity after the daily export, and not counted out of stock", async () => {
    const { shop, token, ids, client } = await shopWithUntrackedAndContinue("untracked-export.myshopify.com");
    await runExport(shop, token);
    // Before any level is read, the quantities are unknown: only the untracked and continue-selling variants sell.
    expect(await sellable(shop)).toEqual({
      [ids.untracked]: true,
      [ids.continues]: true,
      [ids.soldOut]: false,
      [ids.inStock]: false,
    });
    await syncInventory({ shop, client, now: clock.now });

    expect(await sellable(shop)).toEqual({
      [ids.untracked]: true,
      [ids.continues]: true,
      [ids.soldOut]: false,
      [ids.inStock]: true,
    });
    const [health] = await getCatalogHealth({ shops: [shop] });
    expect(health).toMatchObject({ variantsListed: 4, variantsOutOfStock: 1 });
  });

  it("learn tracking from the inventory sync, and keep the policy the product sync stored", async () => {
    const { shop, ids, client } = await shopWithUntrackedAndContinue("untracked-sync.myshopify.com");
    const products = emulator.control.listProducts({ shop, limit: 10 });
    await pgPool().query(
      `INSERT INTO product (shop, id, title, status, selected, listed, shopify_updated_at)
       SELECT $1, id, 'P', 'ACTIVE', true, true, now() FROM unnest($2::bigint[]) AS id`,
      [shop, products.map((p) => p.legacyResourceId)],
    );
    await pgPool().query(
      `INSERT INTO product_variant (shop, id, product_id, price, inventory_item_id)
       SELECT $1, v.id, v.product_id, 10, v.item FROM unnest($2::bigint[], $3::bigint[], $4::bigint[]) AS v(id, product_id, item)`,
      [
        shop,
        products.map((p) => p.variants[0].legacyResourceId),
        products.map((p) => p.legacyResourceId),
        products.map((p) => Number(p.variants[0].inventoryItemId.split("/").pop())),
      ],
    );
    // The inventory policy is the product sync's (the export, products/* webhooks): the levels read does not ask
    // for the item's variant (INVENTORY_LEVELS_QUERY), tracking is all it learns of the item.
    await pgPool().query(`UPDATE product_variant SET inventory_policy = 'CONTINUE' WHERE shop = $1 AND id = $2`, [
      shop,
      ids.continues,
    ]);

    await syncInventory({ shop, client, now: clock.now });

    expect(await sellable(shop)).toEqual({
      [ids.untracked]: true,
      [ids.continues]: true,
      [ids.soldOut]: false,
      [ids.inStock]: true,
    });
    // The merchant switches tracking on again: the daily reconciliation reads it.
    emulator.control.updateVariant({ shop, variantId: ids.untracked, tracked: true });
    await syncInventory({ shop, client, now: clock.now, reconcile: true });
    expect((await sellable(shop))[ids.untracked]).toBe(false);
  });

  it("a variant first brought by products/create takes its item's tracking from the levels already read, as the export would", async () => {
    const { shop, ids, client } = await shopWithUntrackedAndContinue("untracked-webhook.myshopify.com");
    const deliveries = await productCreateDeliveries(shop);
    expect(JSON.stringify(deliveries.map((d) => d.payload))).not.toContain("inventory_management");
    const carries = (variantId: string) => (d: (typeof deliveries)[number]) =>
      JSON.stringify(d.payload).includes(`"id":${variantId}`);
    const first = deliveries.find(carries(ids.inStock))!;
    const others = deliveries.filter((d) => d !== first);
    // One product is known (the tracked one in stock); the inventory sync reads every level, the others' before their product is known.
    await applyProductWebhook({
      shop,
      topic: "products/create",
      payload: first.payload,
      triggeredAt: first.triggeredAt,
      now: clock.now(),
    });
    const read = await syncInventory({ shop, client, now: clock.now });
    expect(read.unknown).toBe(3);
    // Then their products/create arrive, whose REST payload says nothing about tracking.
    for (const delivery of others) {
      await applyProductWebhook({
        shop,
        topic: "products/create",
        payload: delivery.payload,
        triggeredAt: delivery.triggeredAt,
        now: clock.now(),
      });
    }

    expect(await sellable(shop)).toEqual({
      [ids.untracked]: true,
      [ids.continues]: true,
      [ids.soldOut]: false,
      [ids.inStock]: true,
    });

    // A later products/update keeps it (the same inventory item), whatever its payload lacks.
    const untrackedDelivery = deliveries.find(carries(ids.untracked))!;
    await applyProductWebhook({ shop, topic: "products/update", payload: untrackedDelivery.payload, now: clock.now() });
    expect((await sellable(shop))[ids.untracked]).toBe(true);
  });
});
