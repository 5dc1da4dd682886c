import { describe, expect, it } from "vitest";
import type pg from "pg";
import { getCatalogHealth } from "../../app/analytics/catalog-health.server";
import { pgPool } from "../../app/db.server";
import type { Queryable } from "../../app/lib/queryable.server";

// The merchants page's catalog health of a page of shops must read only those shops' open findings, whatever the
// marketplace holds (migration 20261201214100_open_findings_by_shop). A plan, not a timing: the query's EXPLAIN on a
// marketplace whose open findings are mostly other shops'.

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

const shopOf = (n: string) => `'plan-' || lpad((${n})::text, 3, '0') || '.myshopify.com'`;

describe("catalog health of a page of merchants", () => {
  it("counts the page's open findings from the open-findings index alone, not every open finding's row", async () => {
    const pool = pgPool();
    await pool.query(
      `INSERT INTO merchant_connection (shop, merchant_id, approval_status, updated_at)
       SELECT ${shopOf("g")}, 'm-' || g, 'APPROVED', now() FROM generate_series(0, 99) g`,
    );
    // 30,000 findings over 100 shops, one in seven open and FLAGGED; plan-000's are 1 in 100 of them.
    await pool.query(
      `INSERT INTO integrity_finding (run_id, shop, "check", entity_type, entity_id, outcome, created_at)
       SELECT 'run', ${shopOf("g % 100")}, 'orphaned_variant', 'variant', g,
              (CASE WHEN g % 7 = 0 THEN 'FLAGGED' ELSE 'FIXED' END)::"FindingOutcome",
              timestamptz '2026-01-01' + make_interval(secs => g)
         FROM generate_series(1, 30000) g`,
    );
    await pool.query("VACUUM ANALYZE integrity_finding");
    const expected = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM integrity_finding
        WHERE shop = 'plan-000.myshopify.com' AND outcome = 'FLAGGED' AND resolved_at IS NULL`,
    );

    const plans: PlanNode[] = [];
    const explaining: Queryable = {
      async query<Row extends pg.QueryResultRow>(text: string, values?: unknown[]) {
        const explained = await pool.query<{ "QUERY PLAN": { Plan: PlanNode }[] }>(
          `EXPLAIN (FORMAT JSON) ${text}`,
          values,
        );
        plans.push(explained.rows[0]["QUERY PLAN"][0].Plan);
        return pool.query<Row>(text, values);
      },
    };
    const shops = ["plan-000.myshopify.com", "plan-001.myshopify.com"];
    const health = await getCatalogHealth({ shops }, { db: explaining });

    expect(health.find((h) => h.shop === shops[0])?.openFindings).toBe(expected.rows[0].n);
    const findingReads = nodesOf(plans[0]).filter(
      (node) => node["Relation Name"] === "integrity_finding" || node["Index Name"]?.startsWith("integrity_finding"),
    );
    expect(findingReads.map((node) => [node["Node Type"], node["Index Name"]])).toEqual([
      ["Index Only Scan", "integrity_finding_open_flagged_shop_idx"],
    ]);
  });
});
