import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgPool } from "../../app/db.server";
import { BULK_PRODUCT_EXPORT_QUERY } from "../../app/shopify-admin/operations";
import { ingestBulkExport } from "../../app/sync/bulk-export-ingest.server";
import type { RunningEmulator } from "../../emulator";
import { createTestShop, rawGraphql, startTestEmulator, waitUntil } from "../support/emulator";
import { createConnection } from "../support/merchants";

// In 2026-01 bulk queries default to groupObjects: false, and Shopify promises no order of the lines: a variant's
// line can come before its product's. The emulator's "any" order shuffles them; the ingest must not care.

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator({ bulkLineOrder: "any" });
});
afterAll(() => emulator.stop());

async function exportFile(shop: string, token: string): Promise<string> {
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
  return waitUntil(async () => {
    const reply = await rawGraphql(emulator, shop, token, `query($id: ID!) { bulkOperation(id: $id) { status url } }`, {
      id,
    });
    const operation = reply.body.data!.bulkOperation as { status: string; url: string | null };
    return operation.status === "COMPLETED" ? operation.url! : null;
  });
}

describe("a bulk export whose lines come in any order", () => {
  it("has children before their parents, and ingests every product with all of its variants", async () => {
    const shop = createTestShop(emulator, { domain: "any-order.myshopify.com", products: 40, variantsPerProduct: 3 });
    await createConnection(shop.domain);
    const url = await exportFile(shop.domain, shop.accessToken);

    const lines = (await (await fetch(url)).text())
      .split("\n")
      .map((l) => JSON.parse(l) as { id: string; __parentId?: string });
    const position = new Map(lines.map((l, i) => [l.id, i]));
    expect(lines.some((l) => l.__parentId !== undefined && position.get(l.__parentId)! > position.get(l.id)!)).toBe(
      true,
    );

    const summary = await ingestBulkExport({ shop: shop.domain, source: (await fetch(url)).body!, complete: true });
    expect(summary).toMatchObject({ productsWritten: 40, variantsWritten: 120, orphanVariants: 0, malformedCount: 0 });
    const { rows } = await pgPool().query<{ product_id: string; variants: number }>(
      "SELECT product_id::text, count(*)::int AS variants FROM product_variant WHERE shop = $1 GROUP BY product_id",
      [shop.domain],
    );
    expect(rows).toHaveLength(40);
    expect(rows.every((r) => r.variants === 3)).toBe(true);
    const expected = emulator.control.listProducts({ shop: shop.domain, limit: 40 });
    expect(new Set(rows.map((r) => r.product_id))).toEqual(new Set(expected.map((p) => String(p.legacyResourceId))));
  });
});
