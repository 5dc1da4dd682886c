import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminClient } from "../../app/shopify-admin/admin-client.server";
import { BULK_PRODUCT_EXPORT_QUERY, RUNNING_BULK_QUERIES } from "../../app/shopify-admin/operations";
import type { RunningEmulator } from "../../emulator";
import { createTestShop, rawGraphql, startTestEmulator, waitUntil } from "../support/emulator";

// Shopify lists bulk operations by created_at, newest first, unless `reverse: true`; its search syntax documents no
// precedence between AND and OR, so the app's filter says it with parentheses. The emulator lists as Shopify does and
// reads an unparenthesised mix left to right, so a query relying on a precedence finds the wrong operations.

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(() => emulator.stop());

async function startExport(shop: string, token: string): Promise<string> {
  const reply = await rawGraphql(
    emulator,
    shop,
    token,
    `mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } } }`,
    {
      q: BULK_PRODUCT_EXPORT_QUERY,
    },
  );
  return (reply.body.data!.bulkOperationRunQuery as { bulkOperation: { id: string } }).bulkOperation.id;
}

async function statusOf(shop: string, token: string, id: string): Promise<string> {
  const reply = await rawGraphql(emulator, shop, token, `query($id: ID!) { bulkOperation(id: $id) { status } }`, {
    id,
  });
  return (reply.body.data!.bulkOperation as { status: string }).status;
}

describe("bulkOperations listing", () => {
  it("is newest first by default; the app's running-queries filter finds CREATED and RUNNING ones, newest first", async () => {
    const shop = createTestShop(emulator, { domain: "bulk-listing.myshopify.com", products: 2 });
    const token = shop.accessToken;
    emulator.control.setBulkTiming({ startDelayMs: 0, minRunningMs: 10 });
    const completed = await startExport(shop.domain, token);
    await waitUntil(async () => (await statusOf(shop.domain, token, completed)) === "COMPLETED");
    emulator.control.setBulkTiming({ startDelayMs: 0, minRunningMs: 600_000 });
    const running = await startExport(shop.domain, token);
    await waitUntil(async () => (await statusOf(shop.domain, token, running)) === "RUNNING");
    emulator.control.setBulkTiming({ startDelayMs: 600_000 });
    const created = await startExport(shop.domain, token);
    expect(await statusOf(shop.domain, token, created)).toBe("CREATED");

    const list = async (args: string) => {
      const reply = await rawGraphql(emulator, shop.domain, token, `{ bulkOperations(${args}) { nodes { id } } }`);
      return (reply.body.data!.bulkOperations as { nodes: Array<{ id: string }> }).nodes.map((n) => n.id);
    };
    expect(await list("first: 5")).toEqual([created, running, completed]);
    expect(await list("first: 5, reverse: true")).toEqual([completed, running, created]);
    expect(
      await list(`first: 5, query: "operation_type:QUERY status:CREATED OR operation_type:QUERY status:RUNNING"`),
    ).toEqual([running]);

    const client = createAdminClient({ shop: shop.domain, accessToken: token, url: emulator.graphqlUrl(shop.domain) });
    const { bulkOperations } = await client.request(RUNNING_BULK_QUERIES, {});
    expect(bulkOperations.nodes.map((n) => [n.id, n.status])).toEqual([
      [created, "CREATED"],
      [running, "RUNNING"],
    ]);
  });
});
