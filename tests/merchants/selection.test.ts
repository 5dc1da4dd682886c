import { beforeEach, describe, expect, it } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { TASK } from "../../app/jobs/task-names";
import { selectMatchingProducts, selectProducts, setSelectionMode } from "../../app/merchants/change-selection.server";
import { DomainError } from "../../app/lib/domain-error";
import { loadSelectionPage } from "../../app/merchants/product-selection-page.server";
import { selectedProductIdsQuery } from "../../app/merchants/selection.server";
import { ingestBulkExport } from "../../app/sync/bulk-export-ingest.server";
import { chunked, productLine, variantLine } from "../sync/export-fixtures";
import { queuedJobs } from "../support/jobs";
import { createConnection } from "../support/merchants";

const SHOP = "chooser.myshopify.com";
const OTHER = "neighbour.myshopify.com";

async function addProduct(
  shop: string,
  id: number,
  fields: { title?: string; status?: string; deleted?: boolean } = {},
) {
  await pgPool().query(
    `INSERT INTO product (shop, id, title, handle, vendor, status, shopify_updated_at, deleted_at)
     VALUES ($1, $2, $3, $4, 'Acme', $5::"ProductStatus", now(), $6)`,
    [
      shop,
      id,
      fields.title ?? `Product ${id}`,
      `product-${id}`,
      fields.status ?? "ACTIVE",
      fields.deleted ? new Date() : null,
    ],
  );
}

async function productRows(shop: string) {
  const { rows } = await pgPool().query<{ id: string; selected: boolean; listed: boolean }>(
    "SELECT id::text, selected, listed FROM product WHERE shop = $1 ORDER BY id",
    [shop],
  );
  return Object.fromEntries(rows.map((r) => [r.id, { selected: r.selected, listed: r.listed }]));
}

async function selectedIds(shop: string) {
  const { rows } = await pgPool().query<{ id: string }>(`${selectedProductIdsQuery("$1")} ORDER BY p.id`, [shop]);
  return rows.map((r) => r.id);
}

beforeEach(async () => {
  await pgPool().query("DELETE FROM graphile_worker._private_jobs");
  await pgPool().query("DELETE FROM product");
  await prisma.merchantConnection.deleteMany();
  await createConnection(SHOP);
  await createConnection(OTHER);
  await addProduct(SHOP, 1, { title: "Blue shirt" });
  await addProduct(SHOP, 2, { title: "Red shirt", status: "DRAFT" });
  await addProduct(SHOP, 3, { title: "Green hat" });
  await addProduct(SHOP, 4, { title: "Gone", deleted: true });
  await addProduct(OTHER, 900, { title: "Neighbour's shirt" });
});

describe("selectProducts", () => {
  it("selects and deselects, keeping listed = selected AND ACTIVE AND not deleted in the same statement", async () => {
    const result = await selectProducts({ shop: SHOP, productIds: [1n, 2n, 4n], selected: true });
    expect(result).toMatchObject({ updated: 3, awaitingSync: [], syncRequested: false });
    expect(await productRows(SHOP)).toEqual({
      "1": { selected: true, listed: true },
      "2": { selected: true, listed: false }, // DRAFT
      "3": { selected: false, listed: false },
      "4": { selected: true, listed: false }, // deleted
    });
    expect(await selectedIds(SHOP)).toEqual(["1", "2"]);

    await selectProducts({ shop: SHOP, productIds: [1n], selected: false });
    expect((await productRows(SHOP))["1"]).toEqual({ selected: false, listed: false });
  });

  it("refuses another merchant's product with a clear error and changes nothing", async () => {
    const attempt = selectProducts({
      shop: SHOP,
      productIds: [1n, 900n],
      selected: true,
      lookUpInShopify: async () => [],
    });
    await expect(attempt).rejects.toBeInstanceOf(DomainError);
    await expect(attempt).rejects.toMatchObject({ code: "PRODUCTS_NOT_OWNED", details: { refused: ["900"] } });
    await expect(attempt).rejects.toThrow(/Product 900 is not chooser.myshopify.com's; nothing was changed/);
    expect((await productRows(SHOP))["1"].selected).toBe(false);
    expect(await productRows(OTHER)).toEqual({ "900": { selected: false, listed: false } });
  });

  it("refuses an id never synced unless Shopify confirms it is the merchant's; a confirmed one waits for a sync", async () => {
    await expect(selectProducts({ shop: SHOP, productIds: [77n], selected: true })).rejects.toMatchObject({
      code: "PRODUCTS_NOT_OWNED",
    });

    const asked: bigint[][] = [];
    const shopify = async (ids: bigint[]) => {
      asked.push(ids);
      return ids.filter((id) => id === 77n);
    };
    // Not approved yet: the choice is kept, but no sync is queued for a merchant who is not synced at all.
    await prisma.merchantConnection.update({ where: { shop: SHOP }, data: { approvalStatus: "PENDING" } });
    const pending = await selectProducts({
      shop: SHOP,
      productIds: [3n, 77n],
      selected: true,
      lookUpInShopify: shopify,
    });
    expect(pending).toMatchObject({ updated: 1, awaitingSync: [77n], syncRequested: false });
    expect(asked).toEqual([[77n]]); // only the unknown id is looked up
    expect(await queuedJobs(TASK.productSync)).toEqual([]);
    expect((await productRows(SHOP))["77"]).toEqual({ selected: true, listed: false });

    await prisma.merchantConnection.update({ where: { shop: SHOP }, data: { approvalStatus: "APPROVED" } });
    await pgPool().query("DELETE FROM product WHERE id = 77");
    const approved = await selectProducts({ shop: SHOP, productIds: [77n], selected: true, lookUpInShopify: shopify });
    expect(approved).toMatchObject({ awaitingSync: [77n], syncRequested: true });
    const jobs = await queuedJobs(TASK.productSync);
    expect(jobs.map((j) => [j.key, j.payload])).toEqual([[`product-sync:${SHOP}`, { shop: SHOP, reason: "manual" }]]);

    // The sync fills the placeholder in and lists it, since it is selected and ACTIVE.
    await ingestBulkExport({ shop: SHOP, source: chunked([productLine(77), variantLine(7701, 77)]), complete: false });
    expect((await productRows(SHOP))["77"]).toEqual({ selected: true, listed: true });
  });
});

describe("selection mode ALL", () => {
  it("lists every product, including ones that sync later, and switching back returns to the merchant's choices", async () => {
    await selectProducts({ shop: SHOP, productIds: [3n], selected: true });
    const { listed } = await setSelectionMode({ shop: SHOP, mode: "ALL" });
    expect(listed).toBe(2); // 1 and 3: ACTIVE and not deleted; 2 is a draft
    expect(await selectedIds(SHOP)).toEqual(["1", "2", "3"]);
    expect((await productRows(SHOP))["1"]).toEqual({ selected: false, listed: true });

    // A product created in Shopify later arrives through the sync and is listed without the merchant choosing it.
    await ingestBulkExport({ shop: SHOP, source: chunked([productLine(50), variantLine(5001, 50)]), complete: false });
    expect((await productRows(SHOP))["50"]).toEqual({ selected: false, listed: true });
    expect(await selectedIds(SHOP)).toContain("50");

    await setSelectionMode({ shop: SHOP, mode: "CHOSEN" });
    expect(await selectedIds(SHOP)).toEqual(["3"]);
    const rows = await productRows(SHOP);
    expect(rows["50"].listed).toBe(false);
    expect(rows["1"].listed).toBe(false);
    expect(rows["3"].listed).toBe(true);
    // The neighbour's products were never touched.
    expect(await productRows(OTHER)).toEqual({ "900": { selected: false, listed: false } });
  });

  it("names an unknown shop", async () => {
    await expect(setSelectionMode({ shop: "nobody.myshopify.com", mode: "ALL" })).rejects.toMatchObject({
      code: "CONNECTION_NOT_FOUND",
    });
  });
});

describe("the selection page", () => {
  it("filters, pages and counts on the server, and 'select all matching' changes exactly what the filter shows", async () => {
    for (let i = 10; i < 35; i++)
      await addProduct(SHOP, i, { title: `Shirt ${i}`, status: i % 5 === 0 ? "ARCHIVED" : "ACTIVE" });
    await addProduct(OTHER, 901, { title: "Shirt of the neighbour" });

    const first = await loadSelectionPage({ shop: SHOP, filter: { query: "shirt" }, page: 1, pageSize: 10 });
    expect(first.matching).toBe(27); // 25 "Shirt n", Blue shirt, Red shirt; never the neighbour's, never deleted
    expect(first.pageCount).toBe(3);
    expect(first.products).toHaveLength(10);
    expect(first.products.map((p) => p.title)).toContain("Blue shirt");
    const third = await loadSelectionPage({ shop: SHOP, filter: { query: "shirt" }, page: 3, pageSize: 10 });
    expect(third.products).toHaveLength(7);

    const archived = await loadSelectionPage({ shop: SHOP, filter: { query: "shirt", status: "ARCHIVED" }, page: 1 });
    expect(archived.products.map((p) => p.id)).toEqual(["10", "15", "20", "25", "30"]);

    const { updated } = await selectMatchingProducts({
      shop: SHOP,
      filter: { query: "shirt", status: "ACTIVE" },
      selected: true,
    });
    expect(updated).toBe(21); // 20 active "Shirt n" + Blue shirt
    const after = await loadSelectionPage({ shop: SHOP, filter: {}, page: 1 });
    expect(after.selectedTotal).toBe(21);
    expect(after.listedTotal).toBe(21);
    expect(after.mode).toBe("CHOSEN");
    const notSelected = await loadSelectionPage({ shop: SHOP, filter: { selection: "not_selected" }, page: 1 });
    expect(notSelected.products.map((p) => p.title).sort()).toEqual(
      ["Green hat", "Red shirt", "Shirt 10", "Shirt 15", "Shirt 20", "Shirt 25", "Shirt 30"].sort(),
    );
    expect(await productRows(OTHER)).toMatchObject({ "901": { selected: false } });
  });

  it("treats LIKE wildcards in a search literally", async () => {
    await addProduct(SHOP, 60, { title: "50% off" });
    const page = await loadSelectionPage({ shop: SHOP, filter: { query: "0%" }, page: 1 });
    expect(page.products.map((p) => p.title)).toEqual(["50% off"]);
  });
});
