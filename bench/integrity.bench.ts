import type { Pool } from "pg";
import { pgPool, prisma } from "../app/db.server";
import { runIntegrityCheck, type IntegrityReport } from "../app/integrity/run-integrity-check.server";
import { envNumber, openDedicatedDatabase } from "./dedicated-database";

// Every integrity check on a database of 1,000 shops and 3,000,000 variants, of which one shop holds 30,000
// variants: the time of each check and of the whole weekly check of that shop, first with its repairs to make, then
// again when there is nothing left to repair (the steady weekly state), and as a dry run; against the original plan's
// three checks (Prisma, row by row) on the same shop.
// Goal (issue 5): the whole weekly check of one 30,000-variant shop under 2 s.
// Sizes: INTEGRITY_BENCH_SHOPS, INTEGRITY_BENCH_VARIANTS, INTEGRITY_BENCH_BIG_SHOP_VARIANTS (quick runs: smaller).

export const name = "integrity";
export const description = "All integrity checks of one 30,000-variant shop in a database of 1,000 shops / 3M variants";

export interface IntegrityBenchOptions {
  shops?: number;
  variants?: number;
  bigShopVariants?: number;
  log?: (line: string) => void;
}

const VARIANTS_PER_PRODUCT = 3;
const NOW = new Date("2026-12-06T02:00:00Z");
const BIG_SHOP = "shop-0000.myshopify.com";
const TYPICAL_SHOP = "shop-0001.myshopify.com";

// The shop of product g: the first products belong to the big shop, the rest are spread over the other shops.
const SHOP_OF = (g: string) =>
  `CASE WHEN ${g} <= $2 THEN '${BIG_SHOP}' ELSE 'shop-' || lpad((1 + ${g} % ($3 - 1))::text, 4, '0') || '.myshopify.com' END`;

async function generate(pool: Pool, shops: number, variants: number, bigShopVariants: number) {
  const products = Math.ceil(variants / VARIANTS_PER_PRODUCT);
  const bigShopProducts = Math.ceil(bigShopVariants / VARIANTS_PER_PRODUCT);
  await pool.query(
    `INSERT INTO merchant_connection (shop, merchant_id, approval_status, selection_mode, last_complete_export_at, updated_at)
     SELECT 'shop-' || lpad(s::text, 4, '0') || '.myshopify.com', 'merchant-' || s, 'APPROVED',
            CASE WHEN s % 10 = 5 THEN 'ALL' ELSE 'CHOSEN' END::"SelectionMode", $2::timestamptz - interval '5 days', now()
       FROM generate_series(0, $1 - 1) AS s`,
    [shops, NOW],
  );
  // Products: 90% selected, 2% drafts, and a few of each defect the checks look for.
  await pool.query(
    `INSERT INTO product (shop, id, title, status, selected, listed, deleted_at, synced_at, shopify_updated_at)
     SELECT ${SHOP_OF("g")}, g, 'Product ' || g,
            CASE WHEN h % 50 = 0 THEN 'DRAFT' ELSE 'ACTIVE' END::"ProductStatus",
            h % 10 <> 0,
            CASE WHEN h % 997 = 1 THEN false                 -- selected and active but unlisted
                 WHEN h % 1000 = 2 THEN true                 -- deleted but still listed
                 ELSE h % 10 <> 0 AND h % 50 <> 0 AND h % 1000 <> 3 END,
            CASE WHEN h % 1000 IN (2, 3) THEN $4::timestamptz - interval '2 days' END,
            CASE WHEN h % 500 = 7 THEN $4::timestamptz - interval '10 days' ELSE $4::timestamptz - interval '1 day' END,
            $4::timestamptz - interval '2 days'
       FROM generate_series(1, $1) AS g, LATERAL (SELECT hashint4(g)::bigint & 2147483647 AS h) x`,
    [products, bigShopProducts, shops, NOW],
  );
  // Variants: three per product; orphans, missing/zero prices, compare-at below price, negative stock, shared SKUs.
  await pool.query(
    `INSERT INTO product_variant (shop, id, product_id, title, sku, price, compare_at_price, inventory_item_id,
                                  available_quantity, synced_at)
     SELECT ${SHOP_OF("p")}, g,
            CASE WHEN g % 5000 = 7 THEN $1 + g ELSE p END,
            'Variant ' || g,
            CASE WHEN g % 3000 IN (13, 14) THEN 'DUP-' || p ELSE 'SKU-' || g END,
            CASE WHEN g % 1000 = 11 THEN NULL WHEN g % 1000 = 12 THEN 0 ELSE 10 + g % 90 END,
            CASE WHEN g % 800 = 5 THEN 9 + g % 90 WHEN g % 4 = 0 THEN 20 + g % 90 END,
            1000000000 + g,
            CASE WHEN g % 1500 = 9 THEN -2 ELSE g % 50 END,
            $4::timestamptz - interval '1 day'
       FROM generate_series(1, $5) AS g, LATERAL (SELECT (g - 1) / ${VARIANTS_PER_PRODUCT} + 1 AS p) x`,
    [products, bigShopProducts, shops, NOW, variants],
  );
  await pool.query("VACUUM ANALYZE");
}

/** Each check's time and findings of one run, as figures of their own (a figure is a number or a text). */
class RollBack extends Error {}

/**
 * The original plan's weekly check, on Prisma as this stack would write it, for the same shop: its orphan query (a
 * LEFT JOIN over every shop's variants, unscoped as in the plan), then delete them; selected products left inactive,
 * loaded and saved one by one; invalid prices loaded to be flagged. In a transaction that is rolled back, so the
 * measured check still finds every defect.
 */
async function planWeeklyCheckMs(shop: string): Promise<{ ms: number; found: number }> {
  const started = performance.now();
  let found = 0;
  await prisma
    .$transaction(
      async (tx) => {
        const orphans = await tx.$queryRaw<Array<{ shop: string; id: bigint }>>`
          SELECT v.* FROM product_variant v LEFT JOIN product p ON p.shop = v.shop AND p.id = v.product_id
           WHERE p.id IS NULL AND v.product_id IS NOT NULL`;
        if (orphans.length > 0) {
          await tx.productVariant.deleteMany({ where: { OR: orphans.map((o) => ({ shop: o.shop, id: o.id })) } });
        }
        const inactive = await tx.product.findMany({
          where: { shop, selected: true, listed: false, status: "ACTIVE", deletedAt: null },
        });
        for (const product of inactive) {
          await tx.product.update({ where: { shop_id: { shop, id: product.id } }, data: { listed: true } });
        }
        const invalidPrices = await tx.productVariant.findMany({
          where: { shop, OR: [{ price: { lte: 0 } }, { price: null }] },
        });
        found = orphans.length + inactive.length + invalidPrices.length;
        throw new RollBack();
      },
      { timeout: 600_000, maxWait: 60_000 },
    )
    .catch((error: unknown) => {
      if (!(error instanceof RollBack)) throw error;
    });
  return { ms: performance.now() - started, found };
}

function perCheck(report: IntegrityReport, run: string): Record<string, number> {
  return Object.fromEntries(
    report.checks.flatMap((c) => [
      [`${c.check}_${run}_ms`, Math.round(c.durationMs * 10) / 10],
      [`${c.check}_${run}_found`, c.found],
    ]),
  );
}

export async function run(options: IntegrityBenchOptions = {}) {
  const shops = options.shops ?? envNumber("INTEGRITY_BENCH_SHOPS", 1_000);
  const variants = options.variants ?? envNumber("INTEGRITY_BENCH_VARIANTS", 3_000_000);
  const bigShopVariants = options.bigShopVariants ?? envNumber("INTEGRITY_BENCH_BIG_SHOP_VARIANTS", 30_000);
  const log = options.log ?? (() => undefined);

  const database = await openDedicatedDatabase("integrity", log);
  try {
    log(
      `generating ${shops} shops and ${variants.toLocaleString("en")} variants (one shop with ${bigShopVariants.toLocaleString("en")})`,
    );
    const generateStarted = performance.now();
    await generate(database.pool, shops, variants, bigShopVariants);
    const generateSeconds = Math.round((performance.now() - generateStarted) / 100) / 10;

    // The worker that runs the weekly check is a long-lived process: its Prisma client and pool are already
    // connected. Warm them (not the data: the first run still meets cold shop rows and has repairs to make).
    await prisma.$queryRaw`SELECT 1`;
    await pgPool().query("SELECT 1");
    log("the plan's weekly check of the big shop (rolled back)");
    const plan = await planWeeklyCheckMs(BIG_SHOP);
    // The first run is the real weekly one: repairs to make.
    log("first run of the big shop (repairs to make)");
    const first = await runIntegrityCheck({ shop: BIG_SHOP, now: NOW });
    log("second run of the big shop (steady state)");
    const second = await runIntegrityCheck({ shop: BIG_SHOP, now: new Date(NOW.getTime() + 60_000) });
    log("dry run of the big shop");
    const dry = await runIntegrityCheck({ shop: BIG_SHOP, now: new Date(NOW.getTime() + 120_000), dryRun: true });
    log("a typical shop");
    const typical = await runIntegrityCheck({ shop: TYPICAL_SHOP, now: NOW });

    const { rows } = await database.pool.query<{ other_shops_changed: number }>(
      `SELECT count(*)::int AS other_shops_changed FROM integrity_finding WHERE shop NOT IN ($1, $2)`,
      [BIG_SHOP, TYPICAL_SHOP],
    );
    if (rows[0].other_shops_changed !== 0) throw new Error("a check wrote findings for a shop it was not checking");

    const worstMs = Math.max(first.durationMs, second.durationMs, dry.durationMs);
    return {
      figures: {
        shops,
        variants,
        big_shop_variants: bigShopVariants,
        generate_s: generateSeconds,
        big_shop_dry_run_ms: Math.round(dry.durationMs),
        big_shop_first_run_ms: Math.round(first.durationMs),
        big_shop_first_run_checks_only_ms: Math.round(first.checks.reduce((sum, c) => sum + c.durationMs, 0)),
        big_shop_first_run_found: first.totals.found,
        big_shop_first_run_fixed: first.totals.fixed,
        big_shop_steady_run_ms: Math.round(second.durationMs),
        typical_shop_run_ms: Math.round(typical.durationMs),
        ...perCheck(first, "first_run"),
        ...perCheck(second, "steady_run"),
      },
      baseline: {
        plan_weekly_check_ms: Math.round(plan.ms),
        plan_weekly_check_found: plan.found,
      },
      ratio: Math.round((plan.ms / first.durationMs) * 10) / 10,
      goal: "the whole weekly check of one 30,000-variant shop under 2 s (worst of dry, first and steady runs)",
      met: worstMs < 2_000,
    };
  } finally {
    await database.close();
  }
}
