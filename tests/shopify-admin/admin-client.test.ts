import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminClient, type AdminClientOptions } from "../../app/shopify-admin/admin-client.server";
import {
  ShopifyAccessRevokedError,
  ShopifyGraphqlError,
  ShopifyHttpError,
  ShopifyStoreLockedError,
} from "../../app/shopify-admin/errors";
import { PRODUCT_VARIANTS_QUERY, SHOP_QUERY } from "../../app/shopify-admin/operations";
import { graphqlDocument, type DataOf } from "../../app/shopify-admin/graphql-document";
import type { RunningEmulator } from "../../emulator/index";
import { createTestShop, rawGraphql, startTestEmulator } from "../support/emulator";

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(() => emulator.stop());

// Backoff sleeps are recorded and skipped, so retry tests take milliseconds.
function clientFor(shop: { domain: string; accessToken: string }, options: Partial<AdminClientOptions> = {}) {
  const sleeps: number[] = [];
  const client = createAdminClient({
    shop: shop.domain,
    accessToken: shop.accessToken,
    url: emulator.graphqlUrl(shop.domain),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
  return { client, sleeps };
}

const requestsServed = (domain: string) => emulator.control.getShop({ shop: domain }).stats.requests;

describe("the Admin client against the emulator's injected faults", () => {
  it("retries 500, 502, 503 and 429 with growing backoff, then succeeds", async () => {
    const shop = createTestShop(emulator);
    for (const status of [500, 502, 503, 429] as const)
      emulator.control.injectFault({ shop: shop.domain, fault: { kind: "http", status } });
    const { client, sleeps } = clientFor(shop);
    const data = await client.request(SHOP_QUERY, {});
    expect(data.shop.myshopifyDomain).toBe(shop.domain);
    expect(requestsServed(shop.domain)).toBe(5);
    expect(client.stats.retries).toBe(4);
    // 500 ms base doubling with equal jitter at 0.5; the 429 waits at least Shopify's Retry-After of 2 s.
    expect(sleeps).toEqual([375, 750, 1500, 3000]);
  });

  it("gives up on a persistent 503 after maxAttempts with ShopifyHttpError", async () => {
    const shop = createTestShop(emulator);
    emulator.control.injectFault({ shop: shop.domain, fault: { kind: "http", status: 503, count: 10 } });
    const { client } = clientFor(shop, { maxAttempts: 3 });
    const error = await client.request(SHOP_QUERY, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShopifyHttpError);
    expect((error as ShopifyHttpError).status).toBe(503);
    expect(requestsServed(shop.domain)).toBe(3);
  });

  it("treats 401 (revoked token) as ShopifyAccessRevokedError without retrying", async () => {
    const shop = createTestShop(emulator);
    emulator.control.injectFault({ shop: shop.domain, fault: { kind: "revokeToken" } });
    const { client, sleeps } = clientFor(shop);
    await expect(client.request(SHOP_QUERY, {})).rejects.toBeInstanceOf(ShopifyAccessRevokedError);
    expect(requestsServed(shop.domain)).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it("treats 423 (store locked) as ShopifyStoreLockedError without retrying", async () => {
    const shop = createTestShop(emulator);
    emulator.control.injectFault({ shop: shop.domain, fault: { kind: "locked" } });
    const { client } = clientFor(shop);
    await expect(client.request(SHOP_QUERY, {})).rejects.toBeInstanceOf(ShopifyStoreLockedError);
    expect(requestsServed(shop.domain)).toBe(1);
    emulator.control.clearFaults({ shop: shop.domain });
    await expect(client.request(SHOP_QUERY, {})).resolves.toMatchObject({ shop: { myshopifyDomain: shop.domain } });
  });

  it("retries an injected THROTTLED answer and succeeds", async () => {
    const shop = createTestShop(emulator);
    emulator.control.injectFault({ shop: shop.domain, fault: { kind: "throttled", count: 2 } });
    const { client } = clientFor(shop);
    const data = await client.request(SHOP_QUERY, {});
    expect(data.shop.myshopifyDomain).toBe(shop.domain);
    expect(client.stats.throttled).toBe(2);
    expect(emulator.control.getShop({ shop: shop.domain }).stats.throttled).toBe(2);
  });

  it("gives up on an answer slower than the request timeout and retries the request", async () => {
    const shop = createTestShop(emulator);
    // Far apart, so a loaded machine never takes the retry's quick answer for another timeout.
    emulator.control.injectFault({ shop: shop.domain, fault: { kind: "slow", delayMs: 20_000 } });
    const { client } = clientFor(shop, { requestTimeoutMs: 2_000 });
    const started = Date.now();
    const data = await client.request(SHOP_QUERY, {});
    expect(data.shop.myshopifyDomain).toBe(shop.domain);
    expect(client.stats.retries).toBe(1);
    expect(Date.now() - started).toBeLessThan(20_000); // it gave up on the slow answer instead of waiting it out
  });

  it("surfaces ACCESS_DENIED and schema errors as ShopifyGraphqlError with their codes", async () => {
    const shop = createTestShop(emulator);
    emulator.control.injectFault({ shop: shop.domain, fault: { kind: "accessDenied" } });
    const { client } = clientFor(shop);
    const denied = await client.request(SHOP_QUERY, {}).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(ShopifyGraphqlError);
    expect((denied as ShopifyGraphqlError).codes).toEqual(["ACCESS_DENIED"]);
    const invalid = await client
      .request(graphqlDocument<unknown>(`{ shop { notAField } }`), {})
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ShopifyGraphqlError);
    expect((invalid as ShopifyGraphqlError).codes).toEqual(["undefinedField"]);
    expect(client.stats.retries).toBe(0);
  });

  it("retries network errors (nothing listening) and then reports them", async () => {
    const { client, sleeps } = createAdminClientOnDeadPort();
    const error = await client.request(SHOP_QUERY, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShopifyHttpError);
    expect((error as ShopifyHttpError).message).toMatch(/network/);
    expect(sleeps).toHaveLength(2);
  });
});

function createAdminClientOnDeadPort() {
  const sleeps: number[] = [];
  const client = createAdminClient({
    shop: "dead.myshopify.com",
    accessToken: "x",
    url: "http://127.0.0.1:9/admin/api/2026-01/graphql.json",
    maxAttempts: 3,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { client, sleeps };
}

describe("the Admin client under throttling", () => {
  // A small bucket that a burst of 12 x 202 points overflows, restoring fast enough to finish in seconds.
  const plan = { name: "TEST", restoreRate: 500, maximumAvailable: 800 };
  const query = `query($first: Int!) { productVariants(first: $first) { nodes { id } } }`;

  it("a burst through raw fetch gets THROTTLED from the emulator, in Shopify's shape", async () => {
    const shop = createTestShop(emulator, { plan, products: 100, variantsPerProduct: 2 });
    const replies = await Promise.all(
      Array.from({ length: 12 }, () => rawGraphql(emulator, shop.domain, shop.accessToken, query, { first: 200 })),
    );
    const throttled = replies.filter(
      (r) => Array.isArray(r.body.errors) && r.body.errors[0].extensions?.code === "THROTTLED",
    );
    expect(throttled.length).toBeGreaterThan(0);
    for (const reply of throttled) {
      expect(reply.status).toBe(200);
      expect(reply.body.data).toBeUndefined();
      expect(reply.body.errors).toEqual([
        {
          message: "Throttled",
          extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
        },
      ]);
      expect(reply.body.extensions!.cost).toMatchObject({
        requestedQueryCost: 202,
        actualQueryCost: null,
        throttleStatus: { maximumAvailable: 800, restoreRate: 500 },
      });
    }
  });

  it("the client finishes the same burst: every request answered, none lost, no error", async () => {
    const shop = createTestShop(emulator, { plan, products: 100, variantsPerProduct: 2 });
    const client = createAdminClient({
      shop: shop.domain,
      accessToken: shop.accessToken,
      url: emulator.graphqlUrl(shop.domain),
    });
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        client.request(
          graphqlDocument<{ productVariants: { nodes: Array<{ id: string }> } }, { first: number }>(query),
          { first: 200 },
        ),
      ),
    );
    expect(results).toHaveLength(12);
    const ids = results.map((r) => r.productVariants.nodes.map((n) => n.id).join());
    expect(new Set(ids).size).toBe(1);
    expect(results[0].productVariants.nodes).toHaveLength(200);
    // The first request learns the cost; the others wait for the bucket instead of collecting THROTTLED.
    expect(client.stats.throttled).toBe(0);
    expect(client.stats.requests).toBe(12);
    expect(client.stats.waitedMs).toBeGreaterThan(0);
    expect(emulator.control.getShop({ shop: shop.domain }).stats.throttled).toBe(0);
    expect(client.stats.pointsSpent).toBe(12 * 202);
  });

  it("when another process empties the bucket, one THROTTLED answer resynchronises the client", async () => {
    const shop = createTestShop(emulator, {
      plan: { name: "TEST", restoreRate: 1_000, maximumAvailable: 1_000 },
      products: 50,
      variantsPerProduct: 2,
    });
    const client = createAdminClient({
      shop: shop.domain,
      accessToken: shop.accessToken,
      url: emulator.graphqlUrl(shop.domain),
    });
    const document = graphqlDocument<{ productVariants: { nodes: Array<{ id: string }> } }, { first: number }>(query);
    await client.request(document, { first: 100 });
    emulator.control.drainBucket({ shop: shop.domain });
    const result = await client.request(document, { first: 100 });
    expect(result.productVariants.nodes).toHaveLength(100);
    expect(client.stats.throttled).toBe(1);
    expect(client.stats.requests).toBe(3);
  });

  it("a paginated read that drains the bucket waits before sending and is never throttled", async () => {
    const shop = createTestShop(emulator, {
      plan: { name: "TEST", restoreRate: 2_000, maximumAvailable: 760 },
      products: 300,
      variantsPerProduct: 3,
    });
    const client = createAdminClient({
      shop: shop.domain,
      accessToken: shop.accessToken,
      url: emulator.graphqlUrl(shop.domain),
    });
    let after: string | null = null;
    let variants = 0;
    do {
      const page: DataOf<typeof PRODUCT_VARIANTS_QUERY> = await client.request(PRODUCT_VARIANTS_QUERY, {
        first: 250,
        after,
      });
      variants += page.productVariants.nodes.length;
      after = page.productVariants.pageInfo.hasNextPage ? page.productVariants.pageInfo.endCursor : null;
    } while (after);
    expect(variants).toBe(900);
    expect(client.stats.throttled).toBe(0);
    expect(client.stats.waitedMs).toBeGreaterThan(0);
  });
});
