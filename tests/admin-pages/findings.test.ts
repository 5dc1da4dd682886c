import { beforeAll, describe, expect, it } from "vitest";
import { findingsUrl } from "../../app/components/admin/FindingsPage";
import { pgPool, prisma } from "../../app/db.server";
import { PAGE_SIZE } from "../../app/integrity/list-findings.server";
import type { KeysetCursor } from "../../app/lib/keyset-cursor";
import { action, loader } from "../../app/routes/admin.findings";
import { adminGet, adminPost, createAdmin, responseOf, routeArgs, signIn } from "../support/admin";
import { loadListPage, walkPages } from "../support/keyset-pages";

// The findings page: filters in the URL, flagged first, unresolved by default; resolve for operators only; keyset
// pages of 50 followed through the page's own links.

let operator: { cookie: string; csrfToken: string };
let viewer: { cookie: string; csrfToken: string };
const ids: Record<string, string> = {};

interface Listed {
  id: string;
  shop: string;
  check: string;
  outcome: string;
}

async function load(search = "") {
  const response = await responseOf(() => loader(routeArgs(adminGet(`/admin/findings${search}`, operator.cookie))));
  return (await response.json()) as {
    findings: Listed[];
    checks: string[];
    shops: string[];
    query: { resolution: string };
  };
}

async function resolve(findingId: string, who = operator, csrf = who.csrfToken) {
  return responseOf(() =>
    action(routeArgs(adminPost("/admin/findings", who.cookie, { intent: "resolve", findingId }, csrf))),
  );
}

beforeAll(async () => {
  await createAdmin("ops@example.com", "OPERATOR");
  await createAdmin("viewer@example.com", "VIEWER");
  operator = await signIn("ops@example.com");
  viewer = await signIn("viewer@example.com");
  const make = async (
    name: string,
    shop: string,
    check: string,
    outcome: "FIXED" | "FLAGGED",
    createdAt: string,
    resolved = false,
  ) => {
    const row = await prisma.integrityFinding.create({
      data: {
        runId: "run-1",
        shop,
        check,
        entityType: "variant",
        entityId: 100n,
        outcome,
        message: name,
        createdAt: new Date(createdAt),
        ...(resolved ? { resolvedAt: new Date(), resolvedBy: "earlier@example.com" } : {}),
      },
    });
    ids[name] = row.id.toString();
  };
  // The fixed one is newest, but flagged ones come first.
  await make("fixed-a", "a.myshopify.com", "orphaned_variant", "FIXED", "2026-05-03T00:00:00Z");
  await make("price-a", "a.myshopify.com", "invalid_price", "FLAGGED", "2026-05-01T00:00:00Z");
  await make("price-b", "b.myshopify.com", "invalid_price", "FLAGGED", "2026-05-02T00:00:00Z");
  await make("old-b", "b.myshopify.com", "duplicate_sku", "FLAGGED", "2026-04-01T00:00:00Z", true);
});

describe("/admin/findings", () => {
  it("requires a signed-in admin", async () => {
    expect((await responseOf(() => loader(routeArgs(adminGet("/admin/findings"))))).status).toBe(302);
  });

  it("lists unresolved findings by default, flagged first, newest first within each", async () => {
    const page = await load();
    expect(page.query.resolution).toBe("unresolved");
    expect(page.findings.map((f) => f.id)).toEqual([ids["price-b"], ids["price-a"], ids["fixed-a"]]);
    // Every check the app runs, whether or not it has found anything yet.
    expect(page.checks).toHaveLength(10);
    expect(page.checks).toEqual(
      expect.arrayContaining(["duplicate_sku", "invalid_price", "orphaned_variant", "stale_product", "truth_mismatch"]),
    );
    expect(page.shops).toEqual(["a.myshopify.com", "b.myshopify.com"]);
  });

  it("filters by shop, check and resolution from the URL; garbage falls back to the defaults", async () => {
    expect((await load("?shop=a.myshopify.com")).findings.map((f) => f.id)).toEqual([ids["price-a"], ids["fixed-a"]]);
    expect((await load("?check=invalid_price&shop=b.myshopify.com")).findings.map((f) => f.id)).toEqual([
      ids["price-b"],
    ]);
    expect((await load("?resolution=resolved")).findings.map((f) => f.id)).toEqual([ids["old-b"]]);
    expect((await load("?resolution=all")).findings).toHaveLength(4);
    expect((await load("?resolution=%00")).query.resolution).toBe("unresolved");
  });

  it("refuses viewers and forged tokens; bad and unknown ids get 400 and 404; an already resolved one 409", async () => {
    expect((await resolve(ids["price-a"], viewer)).status).toBe(403);
    expect((await resolve(ids["price-a"], operator, "forged")).status).toBe(403);
    expect((await resolve("1.5")).status).toBe(400);
    expect((await resolve("999999")).status).toBe(404);
    expect((await resolve(ids["old-b"])).status).toBe(409);
    expect(
      (await prisma.integrityFinding.findUniqueOrThrow({ where: { id: BigInt(ids["price-a"]) } })).resolvedAt,
    ).toBeNull();
  });

  it("resolves a finding as the signed-in operator: it leaves the default list", async () => {
    const response = await resolve(ids["price-a"]);
    expect(response.status).toBe(200);
    const finding = await prisma.integrityFinding.findUniqueOrThrow({ where: { id: BigInt(ids["price-a"]) } });
    expect(finding.resolvedBy).toBe("ops@example.com");
    expect(finding.resolvedAt).not.toBeNull();
    expect((await load()).findings.map((f) => f.id)).not.toContain(ids["price-a"]);
    expect(
      await prisma.adminAction.count({ where: { action: "resolve-finding", adminEmail: "ops@example.com" } }),
    ).toBe(1);
    // Resolving it again (the same admin, a double click) is a conflict that keeps the first resolution.
    expect((await resolve(ids["price-a"])).status).toBe(409);
    expect(await prisma.adminAction.count({ where: { action: "resolve-finding" } })).toBe(1);
  });
});

describe("/admin/findings: pages", () => {
  type Filters = Parameters<typeof findingsUrl>[0];
  interface FindingsPageData {
    findings: Listed[];
    next: KeysetCursor | null;
    previous: KeysetCursor | null;
  }

  const loadPage = (url: string) => loadListPage<FindingsPageData>(loader, url, operator.cookie);

  const walk = (filters: Filters) =>
    walkPages(
      (cursor: KeysetCursor | null) => loadPage(findingsUrl(filters, cursor)),
      (page) => page.findings,
      PAGE_SIZE,
    );

  /** Every finding under the filters in the page's order, from the table: flagged first, then newest, then higher id. */
  async function expected({ shop, check, resolution }: Filters): Promise<string[]> {
    const all = await prisma.integrityFinding.findMany({
      where: {
        ...(shop ? { shop } : {}),
        ...(check ? { check } : {}),
        ...(resolution === "all" ? {} : { resolvedAt: resolution === "resolved" ? { not: null } : null }),
      },
    });
    const flagged = (outcome: string) => (outcome === "FLAGGED" ? 0 : 1);
    return all
      .sort(
        (a, b) =>
          flagged(a.outcome) - flagged(b.outcome) ||
          b.createdAt.getTime() - a.createdAt.getTime() ||
          Number(b.id - a.id),
      )
      .map((f) => f.id.toString());
  }

  const ids = (pages: FindingsPageData[]) => pages.flatMap((page) => page.findings.map((f) => f.id));

  beforeAll(async () => {
    // 120 findings over two shops and two checks: 45 flagged (so a page holds the last flagged and the first others),
    // some resolved; every minute is shared by two findings, so the id breaks ties.
    await pgPool().query(
      `INSERT INTO integrity_finding (run_id, shop, "check", entity_type, entity_id, outcome, message, created_at, resolved_at, resolved_by)
       SELECT 'run-paging', CASE WHEN i % 3 = 0 THEN 'paging-b.myshopify.com' ELSE 'paging-a.myshopify.com' END,
              CASE WHEN i % 2 = 0 THEN 'negative_stock' ELSE 'invalid_price' END, 'variant', i,
              (CASE WHEN i % 8 < 3 THEN 'FLAGGED' WHEN i % 8 < 6 THEN 'FIXED' ELSE 'WOULD_FIX' END)::"FindingOutcome", 'paging ' || i,
              timestamptz '2026-06-10T12:00:00Z' - ((i * 37) % 60) * interval '1 minute',
              CASE WHEN i % 11 = 0 THEN timestamptz '2026-06-11T00:00:00Z' END, CASE WHEN i % 11 = 0 THEN 'earlier@example.com' END
         FROM generate_series(1, 120) AS i`,
    );
  });

  it("walks every unresolved finding once, flagged first, crossing to the others mid-page with no gap", async () => {
    const filters: Filters = { resolution: "unresolved" };
    const pages = await walk(filters);
    const want = await expected(filters);
    expect(want.length).toBeGreaterThan(2 * PAGE_SIZE);
    expect(ids(pages)).toEqual(want);
    expect(new Set(ids(pages)).size).toBe(want.length);
    const mixed = pages.find((page) => new Set(page.findings.map((f) => f.outcome === "FLAGGED")).size === 2);
    expect(mixed, "a page with the last flagged and the first others").toBeDefined();
  });

  it("goes back with `before` to exactly the previous page, and from the second page to the first", async () => {
    const filters: Filters = { resolution: "all" };
    const [first, second, third] = await walk(filters);
    const backToSecond = await loadPage(findingsUrl(filters, third.previous));
    expect(backToSecond.findings.map((f) => f.id)).toEqual(second.findings.map((f) => f.id));
    expect(backToSecond.next).toEqual(second.next);
    const backToFirst = await loadPage(findingsUrl(filters, backToSecond.previous));
    expect(backToFirst.findings.map((f) => f.id)).toEqual(first.findings.map((f) => f.id));
    expect(backToFirst.previous).toBeNull();
  });

  it("keeps shop, check and resolution in the page links", async () => {
    for (const filters of [
      { shop: "paging-a.myshopify.com", resolution: "all" },
      { check: "invalid_price", resolution: "unresolved" },
      { shop: "paging-a.myshopify.com", check: "negative_stock", resolution: "resolved" },
    ] satisfies Filters[]) {
      const pages = await walk(filters);
      expect(ids(pages), JSON.stringify(filters)).toEqual(await expected(filters));
      expect(ids(pages).length).toBeGreaterThan(0);
    }
    expect((await walk({ shop: "paging-a.myshopify.com", resolution: "all" })).length).toBeGreaterThan(1);
  });

  it("shows the first page for a cursor that does not parse or that the columns could not hold", async () => {
    const first = await loadPage(findingsUrl({ resolution: "unresolved" }));
    for (const cursor of [
      "garbage",
      "1_2",
      "1_1781092800000_5_6",
      "3000000000_1781092800000_5",
      "1_-99999999999999_5",
      "1_1781092800000_99999999999999999999",
    ]) {
      for (const side of ["after", "before"]) {
        const page = await loadPage(`/admin/findings?resolution=unresolved&${side}=${encodeURIComponent(cursor)}`);
        expect(
          page.findings.map((f) => f.id),
          `${side}=${cursor}`,
        ).toEqual(first.findings.map((f) => f.id));
        expect(page.previous).toBeNull();
      }
    }
  });
});
