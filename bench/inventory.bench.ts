import type pg from "pg";
import {
  applyInventoryLevels,
  batchedApply,
  INVENTORY_APPLY_BATCH_SIZE,
} from "../app/inventory/apply-inventory-levels.server";
import { levelFromNode, type InventoryLevelChange } from "../app/inventory/inventory-level";
import { syncInventory } from "../app/inventory/sync-inventory.server";
import { createAdminClient } from "../app/shopify-admin/admin-client.server";
import type { DataOf } from "../app/shopify-admin/graphql-document";
import { INVENTORY_LEVELS_PAGE_SIZE, INVENTORY_LEVELS_QUERY } from "../app/shopify-admin/operations";
import { startEmulator } from "../emulator";
import { envNumber, openDedicatedDatabase } from "./dedicated-database";

// The hourly inventory sync of a shop with 300,000 variants of which 10% changed, read from the emulator over HTTP
// and applied. Two figures:
// - end to end: syncInventory (incremental query, every page, applied page by page);
// - applying alone, on the same pages and the same starting rows: the set-based apply in the sync's batches (its pages
//   gathered to INVENTORY_APPLY_BATCH_SIZE levels, one statement pair each) against the original plan's pattern, one
//   SELECT and one UPDATE per item (plain pg, so the baseline is not slowed by an ORM). Beside it, for comparison,
//   the same apply one page (250 levels) at a time, as the sync did before.
// The database starts in the steady state of an hourly run: inventory_level holds every level, and both tables are
// put back between the timed runs. Reported beside the timings: the share of each table's row updates that were HOT
// (pg_stat_user_tables), which an index holding a stock column takes to 0% (issue 16).
// Goal (issue 5): the set-based apply at least 20x the per-item baseline.
// Sizes: INVENTORY_BENCH_VARIANTS (default 300,000), INVENTORY_BENCH_CHANGED_PERCENT (default 10).
//
// The emulated shop gets a generous rate limit: the bench measures our side, not Shopify's leaky bucket (at the
// Standard plan's 100 points/s, reading 30,000 levels at ~950 points a page takes ~150 s whatever we do).

export const name = "inventory";
export const description =
  "Inventory sync of 300k variants with 10% changed: set-based apply per page vs per-item SELECT+UPDATE";

export interface InventoryBenchOptions {
  variants?: number;
  changedPercent?: number;
  log?: (line: string) => void;
}

const SHOP = "inventory-bench.myshopify.com";
const MINUTE = 60_000;
const LOAD_CHUNK = 5_000;

/** The original plan's loop: per item, find the variant, and update it when the quantity differs. */
async function perItemBaseline(pool: pg.Pool, levels: InventoryLevelChange[]): Promise<number> {
  let changed = 0;
  for (const level of levels) {
    const { rows } = await pool.query<{ id: string; available_quantity: number | null }>(
      `SELECT id, available_quantity FROM product_variant WHERE shop = $1 AND inventory_item_id = $2 AND deleted_at IS NULL`,
      [SHOP, level.inventoryItemId.toString()],
    );
    const variant = rows[0];
    if (variant && variant.available_quantity !== level.available) {
      await pool.query(
        `UPDATE product_variant SET available_quantity = $3, inventory_updated_at = $4 WHERE shop = $1 AND id = $2`,
        [SHOP, variant.id, level.available, level.updatedAt],
      );
      changed += 1;
    }
  }
  return changed;
}

async function restoreStartingRows(pool: pg.Pool) {
  await pool.query(
    `UPDATE product_variant v SET available_quantity = b.available_quantity, inventory_updated_at = b.inventory_updated_at
       FROM bench_before b
      WHERE v.shop = $1 AND v.id = b.id
        AND (v.available_quantity, v.inventory_updated_at) IS DISTINCT FROM (b.available_quantity, b.inventory_updated_at)`,
    [SHOP],
  );
  await pool.query(
    `UPDATE inventory_level l SET available = b.available, updated_at = b.updated_at, observed_at = b.observed_at
       FROM bench_levels_before b
      WHERE l.shop = $1 AND l.inventory_item_id = b.inventory_item_id AND l.location_id = b.location_id
        AND (l.available, l.updated_at, l.observed_at) IS DISTINCT FROM (b.available, b.updated_at, b.observed_at)`,
    [SHOP],
  );
  await pool.query("VACUUM ANALYZE product_variant");
  await pool.query("VACUUM ANALYZE inventory_level");
}

const UPDATED_TABLES = ["product_variant", "inventory_level"] as const;
type UpdateCounts = Record<(typeof UPDATED_TABLES)[number], { updated: number; hot: number }>;

/** n_tup_upd and n_tup_hot_upd of the tables the apply writes (cumulative, from pg_stat_user_tables). */
async function updateCounts(pool: pg.Pool): Promise<UpdateCounts> {
  const { rows } = await pool.query<{ relname: keyof UpdateCounts; updated: string; hot: string }>(
    `SELECT relname, n_tup_upd AS updated, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname = ANY ($1)`,
    [UPDATED_TABLES],
  );
  const counts = Object.fromEntries(UPDATED_TABLES.map((t) => [t, { updated: 0, hot: 0 }])) as UpdateCounts;
  for (const row of rows) counts[row.relname] = { updated: Number(row.updated), hot: Number(row.hot) };
  return counts;
}

/**
 * Runs `work` and returns the share of its row updates that were HOT (heap-only: no index entry rewritten), per
 * table. Statistics reach pg_stat_user_tables when a backend flushes them (idle, at most once a second): every
 * connection of the pool is asked to flush, and the counts are read until they have moved by `expectedUpdates`.
 */
async function measureHotShare<T>(pool: pg.Pool, expectedUpdates: number, work: () => Promise<T>) {
  const flushAll = async () => {
    const clients = await Promise.all(Array.from({ length: pool.options.max ?? 4 }, () => pool.connect()));
    await Promise.all(clients.map((c) => c.query("SELECT pg_stat_force_next_flush()")));
    for (const c of clients) c.release();
  };
  await flushAll();
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const before = await updateCounts(pool);
  const result = await work();
  let after = before;
  for (let tries = 0; tries < 30; tries++) {
    await flushAll();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await pool.query("SELECT pg_stat_clear_snapshot()");
    after = await updateCounts(pool);
    const moved = UPDATED_TABLES.reduce((sum, t) => sum + after[t].updated - before[t].updated, 0);
    if (moved >= expectedUpdates) break;
  }
  const share = (t: keyof UpdateCounts) => {
    const updated = after[t].updated - before[t].updated;
    return updated === 0
      ? "no updates"
      : `${Math.round(((after[t].hot - before[t].hot) / updated) * 1000) / 10}% of ${updated.toLocaleString("en")}`;
  };
  return { result, hot: { product_variant: share("product_variant"), inventory_level: share("inventory_level") } };
}

async function checksum(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ sum: string }>(
    `SELECT md5(string_agg(id || ':' || available_quantity, ',' ORDER BY id)) AS sum FROM product_variant WHERE shop = $1`,
    [SHOP],
  );
  return rows[0].sum;
}

export async function run(options: InventoryBenchOptions = {}) {
  const variantCount = options.variants ?? envNumber("INVENTORY_BENCH_VARIANTS", 300_000);
  const changedPercent = options.changedPercent ?? envNumber("INVENTORY_BENCH_CHANGED_PERCENT", 10);
  const log = options.log ?? (() => undefined);
  const products = Math.ceil(variantCount / 2);

  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const database = await openDedicatedDatabase("inventory", log);
  const emulator = await startEmulator({ apiSecret: "bench-secret", now });
  try {
    const pool = database.pool;
    log(`seeding the emulator: ${products.toLocaleString("en")} products x 2 variants`);
    const shop = emulator.control.createShop({
      domain: SHOP,
      plan: { name: "bench", restoreRate: 1_000_000, maximumAvailable: 2_000_000 },
      locations: 1,
    });
    emulator.control.seedProducts({ shop: SHOP, products, variantsPerProduct: 2, seed: 7 });
    const locationId = shop.locations[0].legacyResourceId;

    log("loading the same catalogue into the database, in step with Shopify");
    await pool.query(
      `INSERT INTO merchant_connection (shop, merchant_id, approval_status, selection_mode, default_location_id, updated_at)
       VALUES ($1, 'bench', 'APPROVED', 'ALL', $2, now())`,
      [SHOP, locationId],
    );
    const variantIds: string[] = [];
    for (let offset = 0; offset < products; offset += LOAD_CHUNK) {
      const chunk = emulator.control.listProducts({ shop: SHOP, limit: LOAD_CHUNK, offset });
      const variants = chunk.flatMap((p) => p.variants.map((v) => ({ ...v, productId: p.legacyResourceId })));
      variantIds.push(...variants.map((v) => v.id));
      await pool.query(
        `INSERT INTO product (shop, id, title, status, selected, listed, shopify_updated_at)
         SELECT $1, id, 'Product ' || id, 'ACTIVE', true, true, now() FROM unnest($2::bigint[]) AS id`,
        [SHOP, chunk.map((p) => p.legacyResourceId)],
      );
      await pool.query(
        `INSERT INTO product_variant (shop, id, product_id, price, inventory_item_id, available_quantity, inventory_updated_at)
         SELECT $1, v.id, v.product_id, 10, v.item, v.available, v.updated_at
           FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::int[], $6::timestamptz[])
                AS v(id, product_id, item, available, updated_at)`,
        [
          SHOP,
          variants.map((v) => v.legacyResourceId),
          variants.map((v) => v.productId),
          variants.map((v) => Number(v.inventoryItemId.split("/").pop())),
          variants.map((v) => v.inventory[0].available),
          variants.map((v) => v.inventory[0].updatedAt),
        ],
      );
      // The levels as the last run stored them: the hourly apply updates rows of a table that holds every level.
      await pool.query(
        `INSERT INTO inventory_level (shop, inventory_item_id, location_id, available, updated_at, observed_at)
         SELECT $1, v.item, $2, v.available, v.updated_at, v.updated_at
           FROM unnest($3::bigint[], $4::int[], $5::timestamptz[]) AS v(item, available, updated_at)`,
        [
          SHOP,
          locationId,
          variants.map((v) => Number(v.inventoryItemId.split("/").pop())),
          variants.map((v) => v.inventory[0].available),
          variants.map((v) => v.inventory[0].updatedAt),
        ],
      );
    }
    offsetMs += 10 * MINUTE;
    await pool.query(`UPDATE merchant_connection SET last_inventory_sync_at = $2 WHERE shop = $1`, [SHOP, now()]);

    const step = Math.max(1, Math.round(100 / changedPercent));
    let changedInShopify = 0;
    offsetMs += 10 * MINUTE;
    for (let i = 0; i < variantIds.length; i += step) {
      // 1000+: outside the seeded range, so every one of these is a real change.
      emulator.control.setInventory({ shop: SHOP, variantId: variantIds[i], available: (i % 97) + 1000 });
      changedInShopify += 1;
    }
    offsetMs += 10 * MINUTE;
    await pool.query(
      `CREATE TABLE bench_before AS SELECT id, available_quantity, inventory_updated_at FROM product_variant WHERE shop = $1`,
      [SHOP],
    );
    await pool.query(
      `CREATE TABLE bench_levels_before AS SELECT inventory_item_id, location_id, available, updated_at, observed_at FROM inventory_level WHERE shop = $1`,
      [SHOP],
    );
    await pool.query("VACUUM ANALYZE");
    log(`${changedInShopify.toLocaleString("en")} levels changed in Shopify; running the sync end to end`);

    const client = createAdminClient({ shop: SHOP, accessToken: shop.accessToken, url: emulator.graphqlUrl(SHOP) });
    const endToEndStarted = performance.now();
    const synced = await syncInventory({ shop: SHOP, client, now });
    const endToEndMs = performance.now() - endToEndStarted;
    if (synced.changed !== changedInShopify)
      throw new Error(`sync changed ${synced.changed}, expected ${changedInShopify}`);
    const afterSync = await checksum(pool);

    log("reading the same pages again, to time applying them alone");
    const pages: InventoryLevelChange[][] = [];
    const fetchStarted = performance.now();
    let after: string | null = null;
    do {
      const data: DataOf<typeof INVENTORY_LEVELS_QUERY> = await client.request(INVENTORY_LEVELS_QUERY, {
        locationId: `gid://shopify/Location/${locationId}`,
        first: INVENTORY_LEVELS_PAGE_SIZE,
        after,
        query: synced.since ? `updated_at:>'${synced.since}'` : null,
      });
      const page = data.location!.inventoryLevels;
      pages.push(
        page.nodes
          .map((node) => levelFromNode(node, BigInt(locationId), new Date()))
          .filter((l): l is InventoryLevelChange => l !== null),
      );
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    const fetchMs = performance.now() - fetchStarted;
    const levels = pages.flat();

    const applySetBased = async (label: string, apply: () => Promise<number>) => {
      await restoreStartingRows(pool);
      log(`applying ${levels.length.toLocaleString("en")} levels set-based, ${label}`);
      let ms = 0;
      const measured = await measureHotShare(pool, 2 * changedInShopify, async () => {
        const started = performance.now();
        const changed = await apply();
        ms = performance.now() - started;
        return changed;
      });
      if ((await checksum(pool)) !== afterSync || measured.result !== changedInShopify)
        throw new Error(`set-based apply (${label}) disagrees with the sync`);
      return { ms, hot: measured.hot };
    };
    const perPage = await applySetBased(`a page at a time (${pages.length} pages)`, async () => {
      let changed = 0;
      for (const page of pages) changed += (await applyInventoryLevels(pool, SHOP, page)).changed;
      return changed;
    });
    // The sync's own gathering (batchedApply), INVENTORY_APPLY_BATCH_SIZE levels a statement pair.
    const setBased = await applySetBased(`in the sync's batches of ${INVENTORY_APPLY_BATCH_SIZE}`, async () => {
      const tally = { levels: 0, changed: 0, stale: 0, notSelected: 0, unknown: 0, unknownSampleInventoryItemIds: [] };
      const gathered = batchedApply(pool, SHOP, tally);
      for (const page of pages) await gathered.add(page);
      await gathered.flush();
      return tally.changed;
    });
    const setMs = setBased.ms;

    await restoreStartingRows(pool);
    log("applying the same levels per item (SELECT + UPDATE each)");
    let baselineMs = 0;
    const perItem = await measureHotShare(pool, changedInShopify, async () => {
      const baselineStarted = performance.now();
      const changed = await perItemBaseline(pool, levels);
      baselineMs = performance.now() - baselineStarted;
      return changed;
    });
    const baselineChanged = perItem.result;
    if ((await checksum(pool)) !== afterSync || baselineChanged !== changedInShopify)
      throw new Error("baseline disagrees with the sync");

    const ratio = Math.round((baselineMs / setMs) * 10) / 10;
    return {
      figures: {
        variants: variantCount,
        changed_levels: changedInShopify,
        pages: synced.pages,
        page_size: INVENTORY_LEVELS_PAGE_SIZE,
        end_to_end_ms: Math.round(endToEndMs),
        end_to_end_levels_per_s: Math.round(synced.levels / (endToEndMs / 1000)),
        fetch_only_ms: Math.round(fetchMs),
        apply_batch_size: INVENTORY_APPLY_BATCH_SIZE,
        apply_set_based_ms: Math.round(setMs),
        apply_set_based_levels_per_s: Math.round(levels.length / (setMs / 1000)),
        apply_set_based_per_page_ms: Math.round(perPage.ms),
        apply_set_based_per_page_ratio: Math.round((baselineMs / perPage.ms) * 10) / 10,
        apply_set_based_hot_updates_product_variant: setBased.hot.product_variant,
        apply_set_based_hot_updates_inventory_level: setBased.hot.inventory_level,
      },
      baseline: {
        apply_per_item_ms: Math.round(baselineMs),
        apply_per_item_levels_per_s: Math.round(levels.length / (baselineMs / 1000)),
        apply_per_item_hot_updates_product_variant: perItem.hot.product_variant,
      },
      ratio,
      goal: "set-based apply >= 20x the per-item SELECT+UPDATE baseline",
      met: ratio >= 20,
    };
  } finally {
    await emulator.stop();
    await database.close();
  }
}
