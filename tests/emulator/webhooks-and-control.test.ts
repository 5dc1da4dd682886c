import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator/index";
import { webhookHmac } from "../../emulator/index";
import {
  createTestShop,
  rawGraphql,
  startTestEmulator,
  startWebhookReceiver,
  TEST_API_SECRET,
} from "../support/emulator";

let emulator: RunningEmulator;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  emulator = await startTestEmulator({ appUrl: receiver.url });
});
afterAll(async () => {
  await emulator.stop();
  await receiver.close();
});

describe("webhooks sent to the app", () => {
  it("delivers every topic with Shopify's payload shape, headers and a valid HMAC", async () => {
    const shop = createTestShop(emulator, { products: 2, variantsPerProduct: 2, locations: 2 });
    const [product] = emulator.control.listProducts({ shop: shop.domain, limit: 1 });
    const before = receiver.received.length;
    await emulator.control.sendWebhook({ shop: shop.domain, topic: "products/update", productId: product.id });
    await emulator.control.sendWebhook({ shop: shop.domain, topic: "products/delete", productId: product.id });
    await emulator.control.sendWebhook({
      shop: shop.domain,
      topic: "inventory_levels/update",
      variantId: product.variants[0].id,
      locationId: shop.locations[1].id,
    });
    await emulator.control.sendWebhook({ shop: shop.domain, topic: "app/uninstalled" });
    const received = (await receiver.waitFor(before + 4)).slice(before);

    expect(received.map((w) => [w.path, w.headers["x-shopify-topic"]])).toEqual([
      ["/webhooks/products/update", "products/update"],
      ["/webhooks/products/delete", "products/delete"],
      ["/webhooks/inventory_levels/update", "inventory_levels/update"],
      ["/webhooks/app/uninstalled", "app/uninstalled"],
    ]);
    for (const webhook of received) {
      expect(webhook.headers["x-shopify-hmac-sha256"]).toBe(webhookHmac(webhook.rawBody, TEST_API_SECRET));
      expect(webhook.headers["x-shopify-shop-domain"]).toBe(shop.domain);
      expect(webhook.headers["x-shopify-api-version"]).toBe("2026-01");
      expect(webhook.headers["x-shopify-webhook-id"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(webhook.headers["x-shopify-event-id"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(String(webhook.headers["x-shopify-triggered-at"]))).not.toBeNaN();
    }
    const [update, remove, inventory, uninstalled] = received.map(
      (w) => JSON.parse(w.rawBody) as Record<string, unknown>,
    );
    expect(update).toMatchObject({
      id: product.legacyResourceId,
      admin_graphql_api_id: product.id,
      title: product.title,
      status: "active",
    });
    expect(update.variants).toEqual([
      expect.objectContaining({
        id: product.variants[0].legacyResourceId,
        price: product.variants[0].price,
        inventory_item_id: Number(product.variants[0].inventoryItemId.split("/").pop()),
      }),
      expect.objectContaining({ id: product.variants[1].legacyResourceId }),
    ]);
    expect(String(update.updated_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-05:00$/);
    expect(remove).toEqual({ id: product.legacyResourceId });
    expect(inventory).toMatchObject({
      location_id: shop.locations[1].legacyResourceId,
      available: product.variants[0].inventory[1].available,
    });
    expect(uninstalled).toMatchObject({ myshopify_domain: shop.domain, domain: shop.domain });
  });

  it("a control change with notify sends the matching webhook, and a failing receiver is retried", async () => {
    // Its own emulator: Shopify's eight retries, their waits passed at once (tests/emulator/webhook-retries.test.ts
    // covers the schedule, the timeout and stop).
    const failing = await startWebhookReceiver(500);
    const retrying = await startTestEmulator({ appUrl: failing.url, webhookDelivery: { wait: async () => {} } });
    const shop = createTestShop(retrying, { products: 1, variantsPerProduct: 1 });
    try {
      const [product] = retrying.control.listProducts({ shop: shop.domain });
      retrying.control.updateVariant({
        shop: shop.domain,
        variantId: product.variants[0].id,
        price: "42.00",
        notify: true,
      });
      await retrying.control.waitForWebhooks();
      const [delivery] = retrying.control.webhookDeliveries({ shop: shop.domain, topic: "products/update" });
      expect(delivery).toMatchObject({ status: 500, attempts: 9, gaveUp: true });
      // Redeliveries keep the webhook id: the app dedupes on it.
      expect(failing.received).toHaveLength(9);
      expect(new Set(failing.received.map((w) => w.headers["x-shopify-webhook-id"]))).toEqual(new Set([delivery.id]));
      expect(JSON.parse(failing.received[0].rawBody).variants[0].price).toBe("42.00");
    } finally {
      await retrying.stop();
      await failing.close();
    }
  });
});

describe("the HTTP control API", () => {
  const call = async <T>(method: string, body: unknown): Promise<{ status: number; json: T }> => {
    const response = await fetch(`${emulator.url}/__emulator/${method}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as T };
  };

  it("offers the in-process control's methods as POST /__emulator/<method>", async () => {
    const created = await call<{ domain: string; accessToken: string; locations: Array<{ id: string }> }>(
      "createShop",
      { domain: "http-control.myshopify.com", plan: "PLUS", locations: ["East", "West"], accessToken: "shpat_http" },
    );
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      domain: "http-control.myshopify.com",
      accessToken: "shpat_http",
      plan: "PLUS",
    });
    expect(
      (await call("seedProducts", { shop: "http-control.myshopify.com", products: 4, variantsPerProduct: 2, seed: 7 }))
        .json,
    ).toEqual({ products: 4, variants: 8 });

    const [first] = (
      await call<Array<{ id: string; variants: Array<{ id: string }> }>>("listProducts", {
        shop: "http-control.myshopify.com",
        limit: 1,
      })
    ).json;
    await call("updateProduct", { shop: "http-control.myshopify.com", productId: first.id, status: "ARCHIVED" });
    await call("deleteProduct", {
      shop: "http-control.myshopify.com",
      productId: (
        await call<Array<{ id: string }>>("listProducts", { shop: "http-control.myshopify.com", offset: 1, limit: 1 })
      ).json[0].id,
    });
    const reply = await rawGraphql(
      emulator,
      "http-control.myshopify.com",
      "shpat_http",
      `{ products(first: 10) { nodes { id status } } shop { plan { shopifyPlus } } }`,
    );
    expect(reply.body.data).toMatchObject({ shop: { plan: { shopifyPlus: true } } });
    const nodes = (reply.body.data!.products as { nodes: Array<{ id: string; status: string }> }).nodes;
    expect(nodes).toHaveLength(3);
    expect(nodes[0]).toEqual({ id: first.id, status: "ARCHIVED" });
    expect(reply.body.extensions!.cost.throttleStatus).toMatchObject({ maximumAvailable: 20_000, restoreRate: 1_000 });

    await call("injectFault", { shop: "http-control.myshopify.com", fault: { kind: "http", status: 502 } });
    expect(
      (
        await rawGraphql(emulator, "http-control.myshopify.com", "shpat_http", `{ shop { name } }`).catch(() => ({
          status: 502,
        }))
      ).status,
    ).toBe(502);

    expect((await call("nope", {})).status).toBe(404);
    expect((await call<{ error: string }>("getShop", { shop: "missing.myshopify.com" })).json.error).toContain(
      "Unknown shop",
    );
  });

  it("seeds deterministically from a seed", () => {
    const a = createTestShop(emulator, { products: 5, variantsPerProduct: 2, seed: 99 });
    const b = createTestShop(emulator, { products: 5, variantsPerProduct: 2, seed: 99 });
    const strip = (domain: string) =>
      emulator.control.listProducts({ shop: domain }).map((p) => ({
        title: p.title,
        vendor: p.vendor,
        prices: p.variants.map((v) => [v.price, v.sku, v.inventory[0].available]),
      }));
    expect(strip(a.domain)).toEqual(strip(b.domain));
    const c = createTestShop(emulator, { products: 5, variantsPerProduct: 2, seed: 100 });
    expect(strip(c.domain)).not.toEqual(strip(a.domain));
  });
});

describe("webhook delivery as unreliable as Shopify's", () => {
  it("drops, or holds and releases late: reversed and each delivered twice with the same webhook id", async () => {
    const shop = createTestShop(emulator, { products: 3, variantsPerProduct: 1 });
    const products = emulator.control.listProducts({ shop: shop.domain, limit: 3 });

    emulator.control.setWebhookMode({ shop: shop.domain, mode: "drop" });
    const before = receiver.received.length;
    const dropped = await emulator.control.sendWebhook({
      shop: shop.domain,
      topic: "products/update",
      productId: products[0].id,
    });
    expect(dropped).toMatchObject({ dropped: true, attempts: 0 });

    emulator.control.setWebhookMode({ shop: shop.domain, mode: "hold" });
    for (const product of products)
      await emulator.control.sendWebhook({ shop: shop.domain, topic: "products/update", productId: product.id });
    expect(receiver.received.length).toBe(before);

    await emulator.control.releaseWebhooks({ shop: shop.domain, order: "reverse", duplicate: true });
    const received = (await receiver.waitFor(before + 6)).slice(before);
    const ids = received.map((w) => (JSON.parse(w.rawBody) as { id: number }).id);
    const reversed = products.map((p) => p.legacyResourceId).reverse();
    expect(ids).toEqual([...reversed, ...reversed]);
    const webhookIds = received.map((w) => w.headers["x-shopify-webhook-id"]);
    expect(webhookIds.slice(3)).toEqual(webhookIds.slice(0, 3));
    emulator.control.setWebhookMode({ shop: shop.domain, mode: "deliver" });
  });
});
