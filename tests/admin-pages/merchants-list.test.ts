import { beforeAll, describe, expect, it } from "vitest";
import { getCatalogHealth } from "../../app/analytics/catalog-health.server";
import { pgPool } from "../../app/db.server";
import { MERCHANTS_PAGE_SIZE } from "../../app/merchants/list-merchants.server";
import { loader } from "../../app/routes/admin.merchants";
import { adminGet, createAdmin, responseOf, routeArgs, signIn } from "../support/admin";
import { loadListPage, walkPages } from "../support/keyset-pages";

// The merchants list a page at a time: keyset pages in domain order with no gap and no duplicate, back with
// `before`, the approval tabs with their counts, search by domain or name (its wildcards taken literally), and a
// query string full of garbage answered with the defaults. Health figures are those of getCatalogHealth.

const STATUSES = ["APPROVED", "APPROVED", "PENDING", "SUSPENDED", "REJECTED"] as const;
const COUNT = 130;

interface ListBody {
  merchants: Array<{
    shop: string;
    shopName: string | null;
    approvalStatus: string;
    products: number;
    productsListed: number;
  }>;
  counts: Record<string, number>;
  next: string | null;
  previous: string | null;
  query: { q?: string; approval?: string };
}

let cookie = "";
const shopOf = (i: number) => `shop-${String(i).padStart(3, "0")}.myshopify.com`;

const list = (search = "") => loadListPage<ListBody>(loader, `/admin/merchants${search}`, cookie);

/** Every shop the list shows under a search, following Next page by page. */
async function walk(search: string): Promise<string[]> {
  const pages = await walkPages(
    (after: string | null) => list(after ? `${search}${search ? "&" : "?"}after=${after}` : search),
    (page) => page.merchants,
    MERCHANTS_PAGE_SIZE,
  );
  return pages.flatMap((page) => page.merchants.map((m) => m.shop));
}

beforeAll(async () => {
  await createAdmin("viewer@example.com", "VIEWER");
  cookie = (await signIn("viewer@example.com")).cookie;
  // Inserted out of order; names with LIKE wildcards in some.
  await pgPool().query(
    `INSERT INTO merchant_connection (shop, merchant_id, shop_name, approval_status, updated_at)
     SELECT 'shop-' || lpad(i::text, 3, '0') || '.myshopify.com', 'm-' || i,
            CASE WHEN i % 10 = 0 THEN 'Tenth 100% Cotton_' || i ELSE 'Shop ' || i END,
            ($1::text[])[1 + i % 5]::"ApprovalStatus", now()
       FROM generate_series(1, $2) AS i ORDER BY random()`,
    [STATUSES, COUNT],
  );
  await pgPool().query(
    `INSERT INTO product (shop, id, title, selected, listed)
     SELECT 'shop-' || lpad((1 + g % 7)::text, 3, '0') || '.myshopify.com', g, 'P' || g, g % 2 = 0, g % 2 = 0 FROM generate_series(1, 40) g`,
  );
});

describe("/admin/merchants a page at a time", () => {
  it("walks every merchant once, in domain order, with the health of each", async () => {
    const first = await list();
    expect(first.merchants).toHaveLength(MERCHANTS_PAGE_SIZE);
    expect(first.previous).toBeNull();
    const all = await walk("");
    expect(all).toEqual(Array.from({ length: COUNT }, (_, i) => shopOf(i + 1)));
    expect(first.merchants).toEqual(
      JSON.parse(JSON.stringify(await getCatalogHealth({ shops: first.merchants.map((m) => m.shop) }))),
    );
    expect(first.merchants.find((m) => m.shop === shopOf(3))).toMatchObject({ products: 6, productsListed: 3 });
    expect(Object.values(first.counts).reduce((a, b) => a + b, 0)).toBe(COUNT);
  });

  it("goes back with `before` to exactly the previous page", async () => {
    const first = await list();
    const second = await list(`?after=${first.next}`);
    expect(second.previous).toBe(second.merchants[0].shop);
    const back = await list(`?before=${second.previous}`);
    expect(back.merchants.map((m) => m.shop)).toEqual(first.merchants.map((m) => m.shop));
    expect(back.previous).toBeNull();
    expect(back.next).toBe(first.next);
  });

  it("filters by approval status, pages within it, and counts every status", async () => {
    const pending = await walk("?approval=PENDING");
    const expected = Array.from({ length: COUNT }, (_, i) => i + 1)
      .filter((i) => STATUSES[i % 5] === "PENDING")
      .map(shopOf);
    expect(pending).toEqual(expected);
    const approved = await walk("?approval=APPROVED");
    expect(approved.length).toBeGreaterThan(MERCHANTS_PAGE_SIZE);
    const { counts } = await list("?approval=PENDING");
    expect(counts).toEqual({ APPROVED: 52, PENDING: 26, SUSPENDED: 26, REJECTED: 26 });
    expect(approved).toHaveLength(counts.APPROVED);
  });

  it("searches domains and names, taking the search's own wildcards literally", async () => {
    expect(await walk("?q=SHOP-00")).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map(shopOf));
    const cotton = await walk(`?q=${encodeURIComponent("100% Cotton_")}`);
    expect(cotton).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130].map(shopOf));
    expect(await walk(`?q=${encodeURIComponent("0%")}`)).toEqual(cotton);
    expect(await walk("?q=_")).toEqual(cotton);
    const searched = await list("?q=tenth&approval=APPROVED");
    expect(searched.merchants.every((m) => m.approvalStatus === "APPROVED" && m.shopName!.startsWith("Tenth"))).toBe(
      true,
    );
    expect(Object.values(searched.counts).reduce((a, b) => a + b, 0)).toBe(13);
    expect((await list("?q=nothing-like-this")).merchants).toEqual([]);
  });

  it("answers garbage in the query string with the defaults", async () => {
    const page = await list(
      `?approval=DROP&after=${encodeURIComponent("'; DELETE FROM merchant_connection --")}&before=x&q=${"y".repeat(500)}`,
    );
    expect(page.query).toEqual({});
    expect(page.merchants[0].shop).toBe(shopOf(1));
    expect(page.merchants).toHaveLength(MERCHANTS_PAGE_SIZE);
  });

  it("requires a signed-in admin", async () => {
    expect((await responseOf(() => loader(routeArgs(adminGet("/admin/merchants"))))).status).toBe(302);
  });
});
