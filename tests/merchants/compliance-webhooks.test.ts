import { existsSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { NO_CUSTOMER_DATA } from "../../app/merchants/compliance.server";
import { deactivateConnection } from "../../app/merchants/deactivate-connection.server";
import { readDeclaredWebhookPaths } from "../../emulator/webhook-paths";
import { createConnection } from "../support/merchants";
import {
  startShopifyAppUnderTest,
  webhookRequest,
  type RouteAction,
  type ShopifyAppUnderTest,
} from "./support/shopify-app";

let app: ShopifyAppUnderTest;
const actions: Record<string, RouteAction> = {};

beforeAll(async () => {
  app = await startShopifyAppUnderTest();
  actions["customers/data_request"] = (await import("../../app/routes/webhooks.customers.data_request")).action;
  actions["customers/redact"] = (await import("../../app/routes/webhooks.customers.redact")).action;
  actions["shop/redact"] = (await import("../../app/routes/webhooks.shop.redact")).action;
});
afterAll(() => app.stop());

async function deliver(topic: string, shop: string, payload: unknown, secret?: string): Promise<number> {
  const request = webhookRequest(shop, topic, `/webhooks/${topic}`, payload, secret);
  try {
    return (await actions[topic]({ request, params: {}, context: {} })).status;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    throw thrown;
  }
}

const customerPayload = (shop: string) => ({
  shop_id: 1,
  shop_domain: shop,
  customer: { id: 4242, email: "jane@example.com", phone: "+15550000000" },
  orders_requested: [1, 2],
  orders_to_redact: [1, 2],
  data_request: { id: 99 },
});

async function seedShopData(shop: string) {
  await createConnection(shop, { approvalStatus: "APPROVED" });
  await prisma.merchantConnection.update({
    where: { shop },
    data: { shopName: "Jane's Shop", plan: "Basic", defaultLocationId: 5n },
  });
  await pgPool().query(
    `INSERT INTO product (shop, id, title, status) VALUES ($1, 1, 'A', 'ACTIVE'), ($1, 2, 'B', 'ACTIVE')`,
    [shop],
  );
  await pgPool().query(`INSERT INTO product_variant (shop, id, product_id) VALUES ($1, 11, 1)`, [shop]);
  await pgPool().query(
    `INSERT INTO bulk_operation (id, shop, status, url) VALUES ($1, $2, 'COMPLETED', 'https://files.example/export.jsonl')`,
    [Math.floor(Math.random() * 1e9), shop],
  );
  await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_x" } });
}

async function shopRows(shop: string) {
  const { rows } = await pgPool().query<Record<string, number>>(
    `SELECT (SELECT count(*)::int FROM product WHERE shop = $1) AS products,
            (SELECT count(*)::int FROM product_variant WHERE shop = $1) AS variants,
            (SELECT count(*)::int FROM bulk_operation WHERE shop = $1) AS bulk_operations,
            (SELECT count(*)::int FROM session WHERE shop = $1) AS sessions`,
    [shop],
  );
  return rows[0];
}

describe("customers/data_request and customers/redact", () => {
  for (const topic of ["customers/data_request", "customers/redact"]) {
    it(`${topic}: answers 200 to a signed request and logs that no customer data is stored, without the customer's details`, async () => {
      const log = vi.spyOn(console, "info").mockImplementation(() => undefined);
      try {
        expect(await deliver(topic, "asks.myshopify.com", customerPayload("asks.myshopify.com"))).toBe(200);
        const lines = log.mock.calls
          .map((call) => String(call[0]))
          .filter((line) => line.includes(`[compliance] ${topic}`));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(NO_CUSTOMER_DATA);
        expect(lines[0]).toContain("customer 4242");
        expect(lines[0]).not.toContain("jane@example.com");
      } finally {
        log.mockRestore();
      }
    });

    it(`${topic}: answers 401 to a bad signature and logs nothing`, async () => {
      const log = vi.spyOn(console, "info").mockImplementation(() => undefined);
      try {
        expect(await deliver(topic, "asks.myshopify.com", customerPayload("asks.myshopify.com"), "wrong-secret")).toBe(
          401,
        );
        expect(log.mock.calls.some((call) => String(call[0]).includes("[compliance]"))).toBe(false);
      } finally {
        log.mockRestore();
      }
    });
  }
});

describe("shop/redact", () => {
  it("erases an uninstalled shop's products, variants, sessions, export records and personal details", async () => {
    const shop = "redact-me.myshopify.com";
    const bystander = "bystander.myshopify.com";
    await seedShopData(shop);
    await seedShopData(bystander);
    await deactivateConnection(shop);
    await prisma.session.create({ data: { id: `late_${shop}`, shop, state: "", accessToken: "shpat_y" } });

    expect(await deliver("shop/redact", shop, { shop_id: 1, shop_domain: shop })).toBe(200);

    expect(await shopRows(shop)).toEqual({ products: 0, variants: 0, bulk_operations: 0, sessions: 0 });
    const connection = await prisma.merchantConnection.findUniqueOrThrow({ where: { shop } });
    expect(connection).toMatchObject({
      active: false,
      shopName: null,
      plan: null,
      defaultLocationId: null,
      purgeAfter: null,
    });
    // The marketplace's own record of the merchant stays.
    expect(connection.approvalStatus).toBe("APPROVED");
    expect(await shopRows(bystander)).toEqual({ products: 2, variants: 1, bulk_operations: 1, sessions: 1 });
  });

  it("answers 401 to a bad signature and erases nothing", async () => {
    const shop = "forged-redact.myshopify.com";
    await seedShopData(shop);
    await deactivateConnection(shop);
    expect(await deliver("shop/redact", shop, { shop_id: 1, shop_domain: shop }, "wrong-secret")).toBe(401);
    expect(await shopRows(shop)).toMatchObject({ products: 2, variants: 1, bulk_operations: 1 });
  });

  it("keeps the data of a shop that reinstalled the app before the request arrived", async () => {
    const shop = "came-back.myshopify.com";
    await seedShopData(shop);
    expect(await deliver("shop/redact", shop, { shop_id: 1, shop_domain: shop })).toBe(200);
    expect(await shopRows(shop)).toMatchObject({ products: 2, variants: 1 });
  });
});

describe("shopify.app.toml", () => {
  const declared = readDeclaredWebhookPaths("shopify.app.toml");

  it("declares every webhook topic the app handles, and the three compliance topics", () => {
    expect([...declared.keys()].sort()).toEqual(
      [
        "app/uninstalled",
        "bulk_operations/finish",
        "customers/data_request",
        "customers/redact",
        "inventory_levels/connect",
        "inventory_levels/disconnect",
        "inventory_levels/update",
        "products/create",
        "products/delete",
        "products/update",
        "shop/redact",
      ].sort(),
    );
  });

  it("points each subscription at an existing route, and every webhook route is declared", () => {
    for (const [topic, uri] of declared) {
      expect(uri).toBe(`/webhooks/${topic}`);
      const route = `app/routes/${uri.slice(1).replaceAll("/", ".")}.tsx`;
      expect(existsSync(route), `${topic} -> ${route}`).toBe(true);
    }
    const routes = readdirSync("app/routes").filter((file) => file.startsWith("webhooks."));
    const declaredRoutes = [...declared.values()].map((uri) => `${uri.slice(1).replaceAll("/", ".")}.tsx`);
    expect(routes.sort()).toEqual([...new Set(declaredRoutes)].sort());
  });
});
