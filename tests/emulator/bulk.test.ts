import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BULK_OPERATION_QUERY,
  BULK_OPERATION_RUN_QUERY,
  BULK_PRODUCT_EXPORT_QUERY,
  bulkInventoryReadQuery,
  type BulkOperationNode,
} from "../../app/shopify-admin/operations";
import type { RunningEmulator } from "../../emulator/index";
import { webhookHmac } from "../../emulator/index";
import {
  createTestShop,
  rawGraphql,
  startTestEmulator,
  startWebhookReceiver,
  TEST_API_SECRET,
  waitUntil,
} from "../support/emulator";

let emulator: RunningEmulator;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  // RUNNING lasts long enough that polls see it even on a loaded machine.
  emulator = await startTestEmulator({ appUrl: receiver.url, bulkTiming: { startDelayMs: 30, minRunningMs: 1500 } });
});
afterAll(async () => {
  await emulator.stop();
  await receiver.close();
});

async function runBulk(shop: { domain: string; accessToken: string }, query: string = BULK_PRODUCT_EXPORT_QUERY) {
  const reply = await rawGraphql(emulator, shop.domain, shop.accessToken, BULK_OPERATION_RUN_QUERY, { query });
  return reply.body.data!.bulkOperationRunQuery as {
    bulkOperation: { id: string; status: string } | null;
    userErrors: Array<{ code: string; message: string }>;
  };
}

async function poll(shop: { domain: string; accessToken: string }, id: string): Promise<BulkOperationNode> {
  const reply = await rawGraphql(emulator, shop.domain, shop.accessToken, BULK_OPERATION_QUERY, { id });
  return reply.body.data!.bulkOperation as BulkOperationNode;
}

async function finished(shop: { domain: string; accessToken: string }, id: string): Promise<BulkOperationNode> {
  return waitUntil(async () => {
    const operation = await poll(shop, id);
    return ["COMPLETED", "FAILED", "CANCELED"].includes(operation.status) && operation;
  });
}

describe("bulk operations", () => {
  it("move CREATED -> RUNNING -> COMPLETED and serve the export as Shopify's JSONL", async () => {
    const shop = createTestShop(emulator, { products: 8, variantsPerProduct: 3, edgeCases: true });
    const started = await runBulk(shop);
    expect(started.userErrors).toEqual([]);
    expect(started.bulkOperation!.status).toBe("CREATED");
    const id = started.bulkOperation!.id;
    const statuses = new Set<string>();
    const operation = await waitUntil(async () => {
      const current = await poll(shop, id);
      statuses.add(current.status);
      return current.status === "COMPLETED" && current;
    });
    expect([...statuses]).toEqual(expect.arrayContaining(["RUNNING", "COMPLETED"]));
    expect(operation).toMatchObject({ objectCount: "32", rootObjectCount: "8", errorCode: null, partialDataUrl: null });
    expect(operation.completedAt).not.toBeNull();

    const response = await fetch(operation.url!);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(Buffer.byteLength(text)).toBe(Number(operation.fileSize));
    // Shopify escapes slashes, and (like many real files) this one has no final newline.
    expect(text).toContain(`"id":"gid:\\/\\/shopify\\/Product\\/`);
    expect(text.endsWith("\n")).toBe(false);
    const lines = text.split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(32);
    const products = lines.filter((l) => !("__parentId" in l));
    const variants = lines.filter((l) => "__parentId" in l);
    expect(products).toHaveLength(8);
    expect(Object.keys(products[0])).toEqual([
      "id",
      "title",
      "handle",
      "vendor",
      "productType",
      "status",
      "tags",
      "updatedAt",
    ]);
    expect(Object.keys(variants[0])).toEqual([
      "id",
      "title",
      "sku",
      "price",
      "compareAtPrice",
      "updatedAt",
      "inventoryPolicy",
      "inventoryItem",
      "__parentId",
    ]);
    expect(products[0].title).toBe(`Men's / Women's "Classic" Tee — 🚀 ü`);
    // Every child comes after its parent, but not always right after its siblings' parent.
    const position = new Map(lines.map((l, i) => [l.id as string, i]));
    for (const [i, line] of lines.entries())
      if (line.__parentId) expect(position.get(line.__parentId as string)!).toBeLessThan(i);
    const nonAdjacent = variants.filter((v) => {
      const index = position.get(v.id as string)!;
      const previous = lines[index - 1];
      return previous.id !== v.__parentId && previous.__parentId !== v.__parentId;
    });
    expect(nonAdjacent.length).toBeGreaterThan(0);
  });

  it("reads a shop's levels by location as Shopify's JSONL, charging only the mutation to the bucket", async () => {
    const shop = createTestShop(emulator, { products: 6, variantsPerProduct: 2, locations: 2, plan: "STANDARD" });
    const [first] = shop.locations;
    emulator.control.resetStats({ shop: shop.domain });
    const query = bulkInventoryReadQuery([BigInt(first.legacyResourceId)]);
    const reply = await rawGraphql(emulator, shop.domain, shop.accessToken, BULK_OPERATION_RUN_QUERY, { query });
    // A mutation costs 10, however many levels the file will hold.
    expect(reply.body.extensions!.cost.actualQueryCost).toBe(10);
    const { bulkOperation } = reply.body.data!.bulkOperationRunQuery as { bulkOperation: { id: string } };
    const operation = await finished(shop, bulkOperation.id);
    expect(operation.status).toBe("COMPLETED");

    const lines = (await (await fetch(operation.url!)).text())
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // Only the location asked for (`location_id:` filter), then one line per level, its location as __parentId.
    const locations = lines.filter((l) => !("__parentId" in l));
    const levels = lines.filter((l) => "__parentId" in l);
    expect(locations).toEqual([{ id: first.id }]);
    expect(levels).toHaveLength(12);
    for (const level of levels) {
      expect(level).toEqual({
        id: expect.stringMatching(/^gid:\/\/shopify\/InventoryLevel\/\d+\?inventory_item_id=\d+$/),
        updatedAt: expect.any(String),
        quantities: [{ name: "available", quantity: expect.any(Number) }],
        item: { id: expect.stringMatching(/^gid:\/\/shopify\/InventoryItem\/\d+$/), tracked: expect.any(Boolean) },
        __parentId: first.id,
      });
    }
    expect(operation).toMatchObject({ objectCount: "13", rootObjectCount: "1" });
    // Building the file spent nothing: the mutation and the polls (bulkOperation(id:), 1 point each) are all.
    const polls = emulator.control.getShop({ shop: shop.domain }).stats.requests - 1;
    expect(emulator.control.getShop({ shop: shop.domain }).stats.pointsSpent).toBe(10 + polls);
  });

  it("delivers bulk_operations/finish to the app with a valid HMAC and Shopify's headers", async () => {
    const shop = createTestShop(emulator, { products: 2, variantsPerProduct: 1 });
    const before = receiver.received.length;
    const { bulkOperation } = await runBulk(shop);
    await finished(shop, bulkOperation!.id);
    const [webhook] = await waitUntil(
      async () =>
        receiver.received.slice(before).filter((w) => w.headers["x-shopify-shop-domain"] === shop.domain).length > 0 &&
        receiver.received.slice(before).filter((w) => w.headers["x-shopify-shop-domain"] === shop.domain),
    );
    expect(webhook.path).toBe("/webhooks/bulk_operations/finish");
    expect(webhook.headers["x-shopify-hmac-sha256"]).toBe(webhookHmac(webhook.rawBody, TEST_API_SECRET));
    expect(webhook.headers).toMatchObject({
      "x-shopify-topic": "bulk_operations/finish",
      "x-shopify-api-version": "2026-01",
    });
    for (const header of ["x-shopify-webhook-id", "x-shopify-event-id", "x-shopify-triggered-at"])
      expect(webhook.headers[header]).toBeTruthy();
    expect(JSON.parse(webhook.rawBody)).toMatchObject({
      admin_graphql_api_id: bulkOperation!.id,
      status: "completed",
      error_code: null,
      type: "query",
    });
  });

  it("refuses a sixth concurrent bulk query with LIMIT_REACHED, and an invalid one with INVALID", async () => {
    const shop = createTestShop(emulator, { products: 1 });
    const previous = emulator.control.setBulkTiming({});
    emulator.control.setBulkTiming({ minRunningMs: 10_000 });
    try {
      const results = [];
      for (let i = 0; i < 6; i++) results.push(await runBulk(shop));
      expect(results.slice(0, 5).every((r) => r.userErrors.length === 0 && r.bulkOperation)).toBe(true);
      expect(results[5]).toEqual({
        bulkOperation: null,
        userErrors: [expect.objectContaining({ code: "LIMIT_REACHED" })],
      });
      for (const r of results.slice(0, 5)) {
        await rawGraphql(
          emulator,
          shop.domain,
          shop.accessToken,
          `mutation($id: ID!) { bulkOperationCancel(id: $id) { userErrors { message } } }`,
          { id: r.bulkOperation!.id },
        );
      }
      for (const r of results.slice(0, 5))
        expect(await finished(shop, r.bulkOperation!.id)).toMatchObject({ status: "CANCELED" });
    } finally {
      emulator.control.setBulkTiming(previous);
    }
    const noConnection = await runBulk(shop, `{ shop { name } }`);
    expect(noConnection.userErrors).toEqual([
      expect.objectContaining({ code: "INVALID", message: "Bulk queries must contain at least one connection." }),
    ]);
    const tooDeep = await runBulk(
      shop,
      `{ products { edges { node { id variants { edges { node { id inventoryItem { inventoryLevels { edges { node { id } } } } } } } } } } }`,
    );
    expect(tooDeep.userErrors[0].code).toBe("INVALID");
    const invalid = await runBulk(shop, `{ products { edges { node { notAField } } } }`);
    expect(invalid.userErrors[0]).toMatchObject({ code: "INVALID" });
    expect(invalid.userErrors[0].message).toContain("notAField");
  });

  it("fails with errorCode and partial data when told to, and with ACCESS_DENIED without any", async () => {
    const shop = createTestShop(emulator, { products: 10, variantsPerProduct: 2 });
    emulator.control.injectFault({
      shop: shop.domain,
      fault: { kind: "bulkFailed", errorCode: "INTERNAL_SERVER_ERROR" },
    });
    const failed = await finished(shop, (await runBulk(shop)).bulkOperation!.id);
    expect(failed).toMatchObject({ status: "FAILED", errorCode: "INTERNAL_SERVER_ERROR", url: null });
    const partial = await (await fetch(failed.partialDataUrl!)).text();
    const partialLines = partial.split("\n");
    expect(partialLines.length).toBeGreaterThan(0);
    expect(partialLines.length).toBeLessThan(30);

    emulator.control.injectFault({
      shop: shop.domain,
      fault: { kind: "bulkFailed", errorCode: "ACCESS_DENIED", partialData: false },
    });
    const denied = await finished(shop, (await runBulk(shop)).bulkOperation!.id);
    expect(denied).toMatchObject({ status: "FAILED", errorCode: "ACCESS_DENIED", url: null, partialDataUrl: null });
  });

  it("can write a malformed line, and serve an expired URL as cloud storage does", async () => {
    const shop = createTestShop(emulator, { products: 3, variantsPerProduct: 1 });
    emulator.control.injectFault({ shop: shop.domain, fault: { kind: "bulkMalformedLine" } });
    const malformed = await finished(shop, (await runBulk(shop)).bulkOperation!.id);
    const lines = (await (await fetch(malformed.url!)).text()).split("\n");
    expect(lines).toHaveLength(6);
    expect(() => JSON.parse(lines[1])).toThrow();
    expect(() => JSON.parse(lines[0])).not.toThrow();

    emulator.control.injectFault({ shop: shop.domain, fault: { kind: "bulkUrlExpired" } });
    const expired = await finished(shop, (await runBulk(shop)).bulkOperation!.id);
    const response = await fetch(expired.url!);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("ExpiredToken");
    // Expiring the earlier, good URL on request works too.
    emulator.control.expireBulkUrls({ shop: shop.domain, bulkOperationId: malformed.id });
    expect((await fetch(malformed.url!)).status).toBe(403);
  });

  it("cancels a running operation, and answers a query with no results without a URL", async () => {
    const shop = createTestShop(emulator, { products: 2 });
    const { bulkOperation } = await runBulk(shop);
    const cancel = await rawGraphql(
      emulator,
      shop.domain,
      shop.accessToken,
      `mutation($id: ID!) { bulkOperationCancel(id: $id) { bulkOperation { id status } userErrors { message } } }`,
      { id: bulkOperation!.id },
    );
    expect(cancel.body.data!.bulkOperationCancel).toEqual({
      bulkOperation: { id: bulkOperation!.id, status: "CANCELING" },
      userErrors: [],
    });
    expect(await finished(shop, bulkOperation!.id)).toMatchObject({ status: "CANCELED" });

    const empty = await finished(
      shop,
      (await runBulk(shop, `{ products(query: "status:unlisted") { edges { node { id } } } }`)).bulkOperation!.id,
    );
    expect(empty).toMatchObject({ status: "COMPLETED", objectCount: "0", url: null, fileSize: null });
  });

  it("streams a large export (10,000 products x 3 variants) without building it in memory", async () => {
    const shop = createTestShop(emulator, { products: 10_000, variantsPerProduct: 3 });
    const operation = await waitUntil(async () => {
      const current = await poll(shop, (await runBulk(shop)).bulkOperation!.id);
      return current;
    });
    const done = await waitUntil(
      async () => {
        const current = await poll(shop, operation.id);
        return current.status === "COMPLETED" && current;
      },
      30_000,
      100,
    );
    expect(done).toMatchObject({ objectCount: "40000", rootObjectCount: "10000" });
    const response = await fetch(done.url!);
    let bytes = 0;
    let newlines = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const byte of chunk) if (byte === 10) newlines++;
    }
    expect(bytes).toBe(Number(done.fileSize));
    expect(newlines).toBe(40_000 - 1);
  }, 60_000);
});
