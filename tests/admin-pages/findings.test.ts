import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { action, loader } from "../../app/routes/admin.findings";
import { adminGet, adminPost, createAdmin, responseOf, routeArgs, signIn } from "../support/admin";

// The findings page: filters in the URL, flagged first, unresolved by default; resolve for operators only.

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
  return (await response.json()) as { findings: Listed[]; checks: string[]; shops: string[]; query: { resolution: string } };
}

async function resolve(findingId: string, who = operator, csrf = who.csrfToken) {
  return responseOf(() => action(routeArgs(adminPost("/admin/findings", who.cookie, { intent: "resolve", findingId }, csrf))));
}

beforeAll(async () => {
  await createAdmin("ops@example.com", "OPERATOR");
  await createAdmin("viewer@example.com", "VIEWER");
  operator = await signIn("ops@example.com");
  viewer = await signIn("viewer@example.com");
  const make = async (name: string, shop: string, check: string, outcome: "FIXED" | "FLAGGED", createdAt: string, resolved = false) => {
    const row = await prisma.integrityFinding.create({
      data: {
        runId: "run-1", shop, check, entityType: "variant", entityId: 100n, outcome, message: name, createdAt: new Date(createdAt),
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
    expect(page.checks).toEqual(["duplicate_sku", "invalid_price", "orphaned_variant"]);
    expect(page.shops).toEqual(["a.myshopify.com", "b.myshopify.com"]);
  });

  it("filters by shop, check and resolution from the URL; garbage falls back to the defaults", async () => {
    expect((await load("?shop=a.myshopify.com")).findings.map((f) => f.id)).toEqual([ids["price-a"], ids["fixed-a"]]);
    expect((await load("?check=invalid_price&shop=b.myshopify.com")).findings.map((f) => f.id)).toEqual([ids["price-b"]]);
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
    expect((await prisma.integrityFinding.findUniqueOrThrow({ where: { id: BigInt(ids["price-a"]) } })).resolvedAt).toBeNull();
  });

  it("resolves a finding as the signed-in operator: it leaves the default list", async () => {
    const response = await resolve(ids["price-a"]);
    expect(response.status).toBe(200);
    const finding = await prisma.integrityFinding.findUniqueOrThrow({ where: { id: BigInt(ids["price-a"]) } });
    expect(finding.resolvedBy).toBe("ops@example.com");
    expect(finding.resolvedAt).not.toBeNull();
    expect((await load()).findings.map((f) => f.id)).not.toContain(ids["price-a"]);
    expect(await prisma.adminAction.count({ where: { action: "resolve-finding", adminEmail: "ops@example.com" } })).toBe(1);
    // Resolving it again (the same admin, a double click) is a conflict that keeps the first resolution.
    expect((await resolve(ids["price-a"])).status).toBe(409);
    expect(await prisma.adminAction.count({ where: { action: "resolve-finding" } })).toBe(1);
  });
});
