import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../emulator/index";
import { createTestShop, rawGraphql, startTestEmulator } from "../support/emulator";

let emulator: RunningEmulator;
let shop: ReturnType<typeof createTestShop>;
let other: ReturnType<typeof createTestShop>;

beforeAll(async () => {
  emulator = await startTestEmulator();
  shop = createTestShop(emulator, {
    domain: "graphql-a.myshopify.com",
    locations: 2,
    products: 12,
    variantsPerProduct: 3,
    edgeCases: true,
  });
  other = createTestShop(emulator, { domain: "graphql-b.myshopify.com", products: 3, variantsPerProduct: 1 });
});
afterAll(() => emulator.stop());

const gql = (query: string, variables: Record<string, unknown> = {}) =>
  rawGraphql(emulator, shop.domain, shop.accessToken, query, variables);

type Page = {
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null; startCursor: string | null };
  nodes: Array<{ id: string; updatedAt?: string; status?: string }>;
};

describe("the emulated Admin GraphQL API", () => {
  it("answers the shop query with the shop taken from the /shops/<shop> path prefix", async () => {
    const reply = await gql(`{ shop { name myshopifyDomain plan { displayName shopifyPlus } } }`);
    expect(reply.status).toBe(200);
    expect(reply.body.data).toEqual({
      shop: {
        name: "graphql-a",
        myshopifyDomain: "graphql-a.myshopify.com",
        plan: { displayName: "Basic", shopifyPlus: false },
      },
    });
  });

  it("rejects a wrong token with Shopify's 401 body, and a token of another shop", async () => {
    for (const token of ["shpat_wrong", other.accessToken]) {
      const response = await fetch(emulator.graphqlUrl(shop.domain), {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
        body: JSON.stringify({ query: "{ shop { name } }" }),
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
      });
    }
  });

  it("also accepts the shop in an X-Shopify-Shop-Domain header, and 404s unknown shops and API versions", async () => {
    const viaHeader = await fetch(`${emulator.url}/admin/api/2026-01/graphql.json`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Shopify-Access-Token": shop.accessToken,
        "X-Shopify-Shop-Domain": shop.domain,
      },
      body: JSON.stringify({ query: "{ shop { myshopifyDomain } }" }),
    });
    expect(((await viaHeader.json()) as { data: unknown }).data).toEqual({ shop: { myshopifyDomain: shop.domain } });
    const unknownShop = await rawGraphql(emulator, "nope.myshopify.com", "x", "{ shop { name } }").catch(() => null);
    expect(unknownShop?.status).toBe(404);
    const oldVersion = await fetch(`${emulator.url}/shops/${shop.domain}/admin/api/2023-01/graphql.json`, {
      method: "POST",
      headers: { "X-Shopify-Access-Token": shop.accessToken },
      body: "{}",
    });
    expect(oldVersion.status).toBe(404);
  });

  it("rejects a query the real schema rejects, in Shopify's error shape", async () => {
    const reply = await gql(`{ location { inventoryLevels(first: 1) { nodes { available } } } }`);
    expect(reply.status).toBe(200);
    expect(reply.body.data).toBeUndefined();
    const errors = reply.body.errors as Array<{ message: string; locations: unknown; extensions: { code: string } }>;
    expect(errors[0].message).toContain(`Cannot query field "available" on type "InventoryLevel"`);
    expect(errors[0].extensions.code).toBe("undefinedField");
    expect(errors[0].locations).toEqual([{ line: 1, column: 50 }]);
  });

  it("pages through products with first/after and back with last/before, without loss or overlap", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const reply = await gql(
        `query($after: String) { products(first: 5, after: $after) { pageInfo { hasNextPage hasPreviousPage endCursor startCursor } nodes { id } } }`,
        { after },
      );
      const page = reply.body.data!.products as Page;
      seen.push(...page.nodes.map((n) => n.id));
      pages++;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(12);
    expect(new Set(seen).size).toBe(12);
    const last = await gql(
      `query($before: String) { products(last: 2, before: $before) { pageInfo { hasPreviousPage } nodes { id } } }`,
      { before: null },
    );
    expect((last.body.data!.products as Page).nodes.map((n) => n.id)).toEqual(seen.slice(10));
    const edges = await gql(`{ products(first: 2) { edges { cursor node { id } } } }`);
    const productEdges = (edges.body.data!.products as { edges: Array<{ cursor: string; node: { id: string } }> })
      .edges;
    expect(productEdges.map((e) => e.node.id)).toEqual(seen.slice(0, 2));
    expect(JSON.parse(Buffer.from(productEdges[0].cursor, "base64").toString())).toMatchObject({
      last_id: Number(seen[0].split("/").pop()),
    });
  });

  it("filters with updated_at:>, status: and id:>", async () => {
    const [product] = emulator.control.listProducts({ shop: shop.domain, offset: 6, limit: 1 });
    const before = new Date(Date.now() - 1000).toISOString();
    const changed = emulator.control.updateVariant({
      shop: shop.domain,
      variantId: product.variants[1].id,
      price: "12.34",
    });
    const recent = await gql(
      `query($q: String) { products(first: 50, query: $q) { nodes { id updatedAt } } productVariants(first: 50, query: $q) { nodes { id price } } }`,
      {
        q: `updated_at:>'${before}'`,
      },
    );
    expect((recent.body.data!.products as Page).nodes.map((n) => n.id)).toEqual([changed.id]);
    expect((recent.body.data!.productVariants as { nodes: Array<{ id: string; price: string }> }).nodes).toEqual([
      { id: product.variants[1].id, price: "12.34" },
    ]);

    const drafts = await gql(`{ products(first: 50, query: "status:draft") { nodes { id status } } }`);
    expect((drafts.body.data!.products as Page).nodes.map((n) => n.status)).toEqual(expect.arrayContaining(["DRAFT"]));
    expect((drafts.body.data!.products as Page).nodes.every((n) => n.status === "DRAFT")).toBe(true);

    const all = emulator.control.listProducts({ shop: shop.domain, limit: 50 });
    const afterId = await gql(`{ products(first: 50, query: "id:>${all[9].legacyResourceId}") { nodes { id } } }`);
    expect((afterId.body.data!.products as Page).nodes.map((n) => n.id)).toEqual([all[10].id, all[11].id]);
  });

  it("serves a location's inventory levels incrementally by updated_at, with quantities(names:)", async () => {
    const location = shop.locations[1];
    const since = new Date(Date.now() - 1000).toISOString();
    const [product] = emulator.control.listProducts({ shop: shop.domain, offset: 3, limit: 1 });
    emulator.control.setInventory({
      shop: shop.domain,
      variantId: product.variants[0].id,
      locationId: location.id,
      available: 77,
    });
    const query = `query($id: ID!, $q: String) { location(id: $id) { inventoryLevels(first: 190, query: $q) { nodes { id updatedAt quantities(names: ["available"]) { name quantity } item { id variant { id product { id } } } } } } }`;
    const reply = await gql(query, { id: location.id, q: `updated_at:>'${since}'` });
    const levels = (reply.body.data!.location as { inventoryLevels: { nodes: Array<Record<string, unknown>> } })
      .inventoryLevels.nodes;
    expect(levels).toEqual([
      {
        id: `gid://shopify/InventoryLevel/${location.legacyResourceId}?inventory_item_id=${product.variants[0].inventoryItemId.split("/").pop()}`,
        updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        quantities: [{ name: "available", quantity: 77 }],
        item: {
          id: product.variants[0].inventoryItemId,
          variant: { id: product.variants[0].id, product: { id: product.id } },
        },
      },
    ]);
    const everything = await gql(query, { id: location.id, q: null });
    expect(
      (everything.body.data!.location as { inventoryLevels: { nodes: unknown[] } }).inventoryLevels.nodes,
    ).toHaveLength(36);
  });

  it("resolves nodes(ids:), inventoryItems and locations, and keeps ids unique across shops", async () => {
    const [a] = emulator.control.listProducts({ shop: shop.domain, limit: 1 });
    const [b] = emulator.control.listProducts({ shop: other.domain, limit: 1 });
    expect(a.id).not.toBe(b.id);
    const reply = await gql(
      `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Product { title } ... on ProductVariant { sku } } inventoryItems(first: 2) { nodes { id sku } } locations(first: 5) { nodes { id isPrimary } } }`,
      {
        ids: [a.id, a.variants[0].id, b.id],
      },
    );
    const nodes = reply.body.data!.nodes as Array<Record<string, unknown> | null>;
    expect(nodes[0]).toMatchObject({ __typename: "Product", id: a.id, title: a.title });
    expect(nodes[1]).toMatchObject({ __typename: "ProductVariant", id: a.variants[0].id, sku: a.variants[0].sku });
    // Another shop's product is invisible here.
    expect(nodes[2]).toBeNull();
    expect((reply.body.data!.inventoryItems as Page).nodes[0].id).toBe(a.variants[0].inventoryItemId);
    expect((reply.body.data!.locations as { nodes: Array<{ id: string; isPrimary: boolean }> }).nodes).toEqual(
      shop.locations.map((l) => ({ id: l.id, isPrimary: l.isPrimary })),
    );
  });

  it("reports requested and actual cost, refunding the difference", async () => {
    const reply = await gql(
      `{ shop { name } products(first: 100) { nodes { id variants(first: 10) { nodes { id } } } } }`,
    );
    const cost = reply.body.extensions!.cost;
    // shop 1 + products 2 + 100 x (1 + 2 + 10 x 1)
    expect(cost.requestedQueryCost).toBe(1 + 2 + 100 * 13);
    // MAX_COST_EXCEEDED above 1000 points: nothing ran, nothing was charged.
    expect(reply.body.errors).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({ code: "MAX_COST_EXCEEDED", cost: 1303, maxCost: 1000 }),
      }),
    ]);
    expect(cost.actualQueryCost).toBeNull();

    const ok = await gql(`{ products(first: 50) { nodes { id variants(first: 10) { nodes { id } } } } }`);
    const okCost = ok.body.extensions!.cost;
    expect(okCost.requestedQueryCost).toBe(2 + 50 * 13);
    // 12 products with 3 variants each: 2 + 12 x (1 + 2 + 3)
    expect(okCost.actualQueryCost).toBe(2 + 12 * 6);
    expect(okCost.throttleStatus).toMatchObject({ maximumAvailable: 2000, restoreRate: 100 });
    const after = await gql(`{ shop { name } }`);
    // The refund went back into the bucket: far more than 2000 - 652 is available.
    expect(after.body.extensions!.cost.throttleStatus.currentlyAvailable).toBeGreaterThan(2000 - 652);
  });
});
