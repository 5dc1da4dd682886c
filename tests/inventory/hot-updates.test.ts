import { describe, expect, it } from "vitest";
import { pgPool } from "../../app/db.server";
import { applyInventoryLevels } from "../../app/inventory/apply-inventory-levels.server";
import type { InventoryLevelChange } from "../../app/inventory/inventory-level";
import { isSellable, quantityLimitsSalesSql } from "../../app/inventory/sellable";
import { createConnection } from "../support/merchants";

// The hourly inventory apply rewrites the stock of a tenth of a shop's variants every run. It stays cheap only while
// PostgreSQL can do those writes as HOT updates (the new row version on the same page, no index entry rewritten):
// no index may hold a stock column, and pages keep room for the new versions (fillfactor). An index INCLUDing
// available_quantity once halved the apply's speed (migration 20261201205000_inventory_hot_updates). This checks
// the property itself, from PostgreSQL's own counters of the apply's transaction, not a timing.

const SHOP = "hot-updates.myshopify.com";
const LOCATION = 77n;
const VARIANTS = 2_000;

describe("stock updates are HOT", () => {
  it("a page of changed levels rewrites no index entry of product_variant or inventory_level", async () => {
    await createConnection(SHOP, { defaultLocationId: LOCATION, selectionMode: "ALL" });
    const pool = pgPool();
    const yesterday = new Date(Date.now() - 86_400_000);
    // A freshly loaded catalog, as the first product sync and full inventory read leave it: full pages but for the
    // room the fillfactor keeps.
    await pool.query(
      `INSERT INTO product (shop, id, title, status, selected, listed) SELECT $1, g, 'P' || g, 'ACTIVE', true, true FROM generate_series(1, $2) g`,
      [SHOP, VARIANTS / 2],
    );
    await pool.query(
      `INSERT INTO product_variant (shop, id, product_id, sku, price, inventory_item_id, available_quantity, inventory_updated_at)
       SELECT $1, g, (g + 1) / 2, 'SKU-' || g, 10, 1000000 + g, 5, $3 FROM generate_series(1, $2) g`,
      [SHOP, VARIANTS, yesterday],
    );
    await pool.query(
      `INSERT INTO inventory_level (shop, inventory_item_id, location_id, available, updated_at, observed_at)
       SELECT $1, 1000000 + g, $3, 5, $4, $4 FROM generate_series(1, $2) g`,
      [SHOP, VARIANTS, LOCATION.toString(), yesterday],
    );

    // One in ten items changed, spread over every page of both tables, as an hourly run finds them.
    const now = new Date();
    const page: InventoryLevelChange[] = [];
    for (let g = 1; g <= VARIANTS; g += 10) {
      page.push({
        inventoryItemId: BigInt(1_000_000 + g),
        locationId: LOCATION,
        available: 40,
        updatedAt: now,
        observedAt: now,
      });
    }

    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const result = await applyInventoryLevels(client, SHOP, page);
      // pg_stat_xact_user_tables: this transaction's own counts, exact and not yet flushed anywhere.
      const { rows } = await client.query<{ relname: string; updated: string; hot: string }>(
        `SELECT relname, n_tup_upd AS updated, n_tup_hot_upd AS hot FROM pg_stat_xact_user_tables
          WHERE relname IN ('product_variant', 'inventory_level') ORDER BY relname`,
      );
      await client.query("COMMIT");
      expect(result.changed).toBe(page.length);
      expect(rows.map((r) => ({ table: r.relname, updated: Number(r.updated), hot: Number(r.hot) }))).toEqual([
        { table: "inventory_level", updated: page.length, hot: page.length },
        { table: "product_variant", updated: page.length, hot: page.length },
      ]);
    } finally {
      client.release();
    }

    const { rows: stock } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM product_variant WHERE shop = $1 AND available_quantity = 40`,
      [SHOP],
    );
    expect(stock[0].n).toBe(page.length);
  });

  it("no index of the stock tables holds a column the inventory paths rewrite", async () => {
    // The catalog side of the same rule, naming the offender when someone adds one (an INCLUDE, an expression or a
    // partial index's predicate on a stock column all block HOT updates).
    const { rows } = await pgPool().query<{ index: string; definition: string }>(
      `SELECT i.indexrelid::regclass::text AS index, pg_get_indexdef(i.indexrelid) AS definition
         FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
        WHERE t.relname IN ('product_variant', 'inventory_level') ORDER BY 1`,
    );
    const offenders = rows.filter((r) =>
      /\b(available_quantity|inventory_updated_at|available|updated_at|observed_at)\b/.test(
        r.definition.replace(/^.*? USING /, ""),
      ),
    );
    expect(offenders).toEqual([]);
    expect(rows.length).toBeGreaterThan(0);
  });
});

describe("product_variant.out_of_stock", () => {
  it("is what app/inventory/sellable.ts says, for every tracking, policy and quantity", async () => {
    // The generated column catalog health counts (it changes only when a quantity crosses zero, so an index may
    // hold it) must keep agreeing with the one written rule of what can be sold.
    const shop = "out-of-stock.myshopify.com";
    await createConnection(shop);
    const cases: Array<[boolean, "DENY" | "CONTINUE", number | null]> = [];
    for (const tracked of [true, false]) {
      for (const policy of ["DENY", "CONTINUE"] as const)
        for (const quantity of [null, -2, 0, 1, 30]) cases.push([tracked, policy, quantity]);
    }
    await pgPool().query(
      `INSERT INTO product_variant (shop, id, product_id, inventory_tracked, inventory_policy, available_quantity)
       SELECT $1, c.n, 1, c.tracked, c.policy, c.quantity
         FROM unnest($2::int[], $3::boolean[], $4::"InventoryPolicy"[], $5::int[]) AS c(n, tracked, policy, quantity)`,
      [shop, cases.map((_, n) => n), cases.map((c) => c[0]), cases.map((c) => c[1]), cases.map((c) => c[2])],
    );
    const { rows } = await pgPool().query<{ id: string; out_of_stock: boolean; limited: boolean }>(
      `SELECT v.id::text, v.out_of_stock, ${quantityLimitsSalesSql("v")} AS limited FROM product_variant v WHERE v.shop = $1 ORDER BY v.id`,
      [shop],
    );
    expect(rows.map((r) => r.out_of_stock)).toEqual(
      cases.map(
        ([tracked, policy, quantity]) =>
          !isSellable({ inventoryTracked: tracked, inventoryPolicy: policy, availableQuantity: quantity }) &&
          quantity !== null,
      ),
    );
    expect(rows.map((r) => r.out_of_stock)).toEqual(
      rows.map((r, n) => r.limited && cases[n][2] !== null && cases[n][2]! <= 0),
    );
  });
});
