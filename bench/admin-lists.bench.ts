import { getCatalogHealth } from "../app/analytics/catalog-health.server";
import { prisma } from "../app/db.server";
import { listFindings } from "../app/integrity/list-findings.server";
import { listMerchants } from "../app/merchants/list-merchants.server";
import { envNumber, openDedicatedDatabase } from "./dedicated-database";
import { medianMs, round } from "./timing";

// The platform admin's merchants and findings pages on a large marketplace: 200 merchants with 600,000 variants
// between them, and 200,000 integrity findings. Each page's loader query: the merchants list (first page, a deep
// page, a search, a status tab) and the findings list (the default unresolved view, its next page, one shop, one
// check over every finding). Baselines in the same run: the merchants page as first built (catalog health of every
// merchant at once), and the findings page's filter choices as first built (Prisma `distinct` over the findings).
// Goal: every page under 150 ms.
// Sizes: ADMIN_LISTS_BENCH_MERCHANTS, ADMIN_LISTS_BENCH_VARIANTS, ADMIN_LISTS_BENCH_FINDINGS.

export const name = "admin-lists";
export const description =
  "merchants and findings pages: 200 merchants / 600k variants / 200k findings, vs whole-table versions";

export interface AdminListsBenchOptions {
  merchants?: number;
  variants?: number;
  findings?: number;
  runs?: number;
  log?: (line: string) => void;
}

const VARIANTS_PER_PRODUCT = 3;

/** The median, to one decimal, as the table prints it. */
const medianRoundedMs = async (runs: number, work: () => Promise<unknown>) => round(await medianMs(runs, work));

export async function run(options: AdminListsBenchOptions = {}) {
  const merchants = options.merchants ?? envNumber("ADMIN_LISTS_BENCH_MERCHANTS", 200);
  const variants = options.variants ?? envNumber("ADMIN_LISTS_BENCH_VARIANTS", 600_000);
  const findings = options.findings ?? envNumber("ADMIN_LISTS_BENCH_FINDINGS", 200_000);
  const runs = options.runs ?? envNumber("ADMIN_LISTS_BENCH_RUNS", 5);
  const log = options.log ?? (() => undefined);
  const database = await openDedicatedDatabase("admin_lists", log);
  try {
    const { pool } = database;
    const shopOf = (n: string) => `'shop-' || lpad((${n})::text, 4, '0') || '.myshopify.com'`;
    log(
      `generating ${merchants} merchants, ${variants.toLocaleString("en")} variants, ${findings.toLocaleString("en")} findings`,
    );
    const started = performance.now();
    await pool.query(
      `INSERT INTO merchant_connection (shop, merchant_id, shop_name, approval_status, updated_at)
       SELECT ${shopOf("g")}, 'm-' || g, 'Shop ' || g,
              (ARRAY['APPROVED','APPROVED','APPROVED','PENDING','SUSPENDED'])[1 + g % 5]::"ApprovalStatus", now()
         FROM generate_series(0, $1 - 1) g`,
      [merchants],
    );
    await pool.query(
      `INSERT INTO product (shop, id, title, status, selected, listed)
       SELECT ${shopOf("g % $2")}, g, 'Product ' || g, 'ACTIVE', g % 3 = 0, g % 3 = 0 FROM generate_series(1, $1) g`,
      [Math.ceil(variants / VARIANTS_PER_PRODUCT), merchants],
    );
    await pool.query(
      `INSERT INTO product_variant (shop, id, product_id, price, available_quantity)
       SELECT p.shop, p.id * 10 + k, p.id, 10, (p.id + k) % 7 - 1 FROM product p, generate_series(1, ${VARIANTS_PER_PRODUCT}) k`,
    );
    await pool.query(
      `INSERT INTO integrity_finding (run_id, shop, "check", entity_type, entity_id, outcome, message, created_at)
       SELECT 'run-' || (g / 1000), ${shopOf("g % $2")},
              (ARRAY['orphaned_variant','invalid_price','duplicate_sku','negative_inventory','stale_product'])[1 + g % 5],
              'variant', g, (CASE WHEN g % 7 = 0 THEN 'FLAGGED' ELSE 'FIXED' END)::"FindingOutcome", 'Finding ' || g,
              now() - make_interval(mins => g)
         FROM generate_series(1, $1) g`,
      [findings, merchants],
    );
    for (const table of ["merchant_connection", "product", "product_variant", "integrity_finding"])
      await pool.query(`VACUUM ANALYZE ${table}`);
    const generateSeconds = round((performance.now() - started) / 1000);

    log("measuring the merchants list");
    const firstMerchants = await listMerchants({});
    const middleShop = firstMerchants.merchants.at(-1)?.shop;
    const merchantsFigures = {
      merchants_first_page_ms: await medianRoundedMs(runs, () => listMerchants({})),
      merchants_next_page_ms: await medianRoundedMs(runs, () => listMerchants({ after: middleShop })),
      merchants_search_ms: await medianRoundedMs(runs, () => listMerchants({ q: "shop 1" })),
      merchants_pending_tab_ms: await medianRoundedMs(runs, () => listMerchants({ approval: "PENDING" })),
    };
    const everyMerchantMs = await medianRoundedMs(Math.min(runs, 3), () => getCatalogHealth());

    log("measuring the findings list");
    const firstFindings = await listFindings({ resolution: "unresolved", cursor: null });
    const findingsFigures = {
      findings_default_view_ms: await medianRoundedMs(runs, () =>
        listFindings({ resolution: "unresolved", cursor: null }),
      ),
      findings_next_page_ms: await medianRoundedMs(runs, () =>
        listFindings({ resolution: "unresolved", cursor: firstFindings.next }),
      ),
      findings_one_shop_ms: await medianRoundedMs(runs, () =>
        listFindings({ resolution: "unresolved", shop: "shop-0042.myshopify.com", cursor: null }),
      ),
      findings_one_check_all_ms: await medianRoundedMs(runs, () =>
        listFindings({ resolution: "all", check: "invalid_price", cursor: null }),
      ),
    };
    const distinctChoicesMs = await medianRoundedMs(Math.min(runs, 3), () =>
      Promise.all([
        prisma.integrityFinding.findMany({ distinct: ["check"], select: { check: true }, orderBy: { check: "asc" } }),
        prisma.integrityFinding.findMany({ distinct: ["shop"], select: { shop: true }, orderBy: { shop: "asc" } }),
      ]),
    );

    const slowest = Math.max(...Object.values(merchantsFigures), ...Object.values(findingsFigures));
    return {
      figures: {
        merchants,
        variants,
        findings,
        generate_s: generateSeconds,
        ...merchantsFigures,
        ...findingsFigures,
        slowest_page_ms: slowest,
      },
      baseline: {
        merchants_every_merchant_health_ms: everyMerchantMs,
        findings_prisma_distinct_choices_ms: distinctChoicesMs,
      },
      ratio: round(everyMerchantMs / merchantsFigures.merchants_first_page_ms),
      goal: "every merchants and findings page under 150 ms with 200 merchants, 600,000 variants and 200,000 findings",
      met: slowest < 150,
    };
  } finally {
    await database.close();
  }
}
