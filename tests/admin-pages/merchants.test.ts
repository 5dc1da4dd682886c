import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { loader as listLoader } from "../../app/routes/admin.merchants";
import { action, loader } from "../../app/routes/admin.merchants_.$shop";
import { adminGet, adminPost, createAdmin, responseOf, routeArgs, signIn } from "../support/admin";
import { queuedJobs } from "../support/jobs";
import { createConnection } from "../support/merchants";

// The merchants list and a merchant's page: health, and the operator's actions with their effect and who did them.

const PENDING = "applicant.myshopify.com";
const LISTED = "listed.myshopify.com";
const GONE = "gone.myshopify.com";
const MESSY = "messy.myshopify.com";

let operator: { cookie: string; csrfToken: string };
let viewer: { cookie: string; csrfToken: string };

function path(shop: string) {
  return `/admin/merchants/${shop}`;
}

async function act(shop: string, intent: string, who = operator, csrf = who.csrfToken) {
  const request = adminPost(path(shop), who.cookie, { intent }, csrf);
  return responseOf(() => action(routeArgs(request, { shop })));
}

async function detail(shop: string, cookie = operator.cookie) {
  return responseOf(() => loader(routeArgs(adminGet(path(shop), cookie), { shop })));
}

beforeAll(async () => {
  await createAdmin("ops@example.com", "OPERATOR");
  await createAdmin("viewer@example.com", "VIEWER");
  operator = await signIn("ops@example.com");
  viewer = await signIn("viewer@example.com");
  await createConnection(PENDING, { approvalStatus: "PENDING" });
  await createConnection(LISTED);
  await createConnection(GONE, { active: false });
  await pgPool().query(
    `INSERT INTO product (shop, id, title, status, selected, listed) VALUES ($1, 1, 'Lamp', 'ACTIVE', true, true), ($1, 2, 'Chair', 'DRAFT', false, false)`,
    [LISTED],
  );
  await pgPool().query(
    `INSERT INTO product_variant (shop, id, product_id, price, available_quantity) VALUES ($1, 11, 1, 10, 0), ($1, 12, 1, 10, 5)`,
    [LISTED],
  );
  await pgPool().query(
    `INSERT INTO sync_event (shop, event_type, status, item_count) VALUES ($1, 'PRODUCT_SYNC', 'SUCCESS', 2)`,
    [LISTED],
  );
  // A product deleted in Shopify but still listed (a repair), and a variant priced 0 (a flag).
  await createConnection(MESSY);
  await pgPool().query(
    `INSERT INTO product (shop, id, title, status, selected, listed, deleted_at, shopify_updated_at)
     VALUES ($1, 5, 'Gone lamp', 'ACTIVE', true, true, now(), now()), ($1, 6, 'Free chair', 'ACTIVE', true, true, NULL, now())`,
    [MESSY],
  );
  await pgPool().query(
    `INSERT INTO product_variant (shop, id, product_id, price, available_quantity) VALUES ($1, 61, 6, 0, 3)`,
    [MESSY],
  );
});
afterAll(() => releaseWorkerUtils());

describe("/admin/merchants", () => {
  it("requires a signed-in admin", async () => {
    expect((await responseOf(() => listLoader(routeArgs(adminGet("/admin/merchants"))))).status).toBe(302);
    expect((await detail(LISTED, "")).status).toBe(302);
  });

  it("lists every merchant with approval, connection and catalog health", async () => {
    const { merchants } = await (
      await responseOf(() => listLoader(routeArgs(adminGet("/admin/merchants", viewer.cookie))))
    ).json();
    expect(merchants.map((m: { shop: string }) => m.shop)).toEqual([PENDING, GONE, LISTED, MESSY]);
    expect(merchants.find((m: { shop: string }) => m.shop === LISTED)).toMatchObject({
      approvalStatus: "APPROVED",
      active: true,
      products: 2,
      productsListed: 1,
      variantsListed: 2,
      variantsOutOfStock: 1,
    });
  });

  it("shows one merchant with its events and the actions that fit its state; 404 for unknown or malformed shops", async () => {
    const body = await (await detail(LISTED)).json();
    expect(body.health.shop).toBe(LISTED);
    expect(body.events).toHaveLength(1);
    expect(body.intents).toEqual([
      "suspend",
      "pause",
      "sync-products",
      "sync-inventory",
      "check-integrity",
      "verify",
      "preview-integrity",
    ]);
    expect((await (await detail(PENDING)).json()).intents).toContain("approve");
    expect((await detail("nobody.myshopify.com")).status).toBe(404);
    expect((await detail("../../etc/passwd")).status).toBe(404);
  });

  it("refuses viewers, forged tokens, unknown intents and unknown shops", async () => {
    expect((await act(PENDING, "approve", viewer)).status).toBe(403);
    expect((await act(PENDING, "approve", operator, "forged")).status).toBe(403);
    expect((await act(PENDING, "delete-everything")).status).toBe(400);
    expect((await act("nobody.myshopify.com", "approve")).status).toBe(404);
    expect((await act("not a shop", "approve")).status).toBe(404);
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop: PENDING } })).approvalStatus).toBe(
      "PENDING",
    );
  });

  it("approves (recording who, and queueing the first import), and refuses a transition that is not allowed", async () => {
    const response = await act(PENDING, "approve");
    expect(response.status).toBe(200);
    const connection = await prisma.merchantConnection.findUniqueOrThrow({ where: { shop: PENDING } });
    expect(connection).toMatchObject({ approvalStatus: "APPROVED", approvalChangedBy: "ops@example.com" });
    expect((await queuedJobs("product-sync")).map((j) => j.payload.shop)).toContain(PENDING);
    // APPROVED -> REJECTED must go through SUSPENDED.
    expect((await act(PENDING, "reject")).status).toBe(409);
    expect((await act(PENDING, "suspend")).status).toBe(200);
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop: PENDING } })).approvalStatus).toBe(
      "SUSPENDED",
    );
  });

  it("pauses and resumes syncing, and runs each kind of sync now, all recorded with the operator's email", async () => {
    expect((await act(LISTED, "pause")).status).toBe(200);
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop: LISTED } })).syncPaused).toBe(true);
    expect((await act(LISTED, "resume")).status).toBe(200);
    expect((await prisma.merchantConnection.findUniqueOrThrow({ where: { shop: LISTED } })).syncPaused).toBe(false);

    for (const intent of ["sync-products", "sync-inventory", "check-integrity"])
      expect((await act(LISTED, intent)).status).toBe(200);
    const jobs = (await queuedJobs()).filter((j) => j.payload.shop === LISTED);
    expect(jobs.map((j) => j.task_identifier).sort()).toEqual(["integrity-check", "inventory-sync", "product-sync"]);
    expect(jobs[0].payload).toMatchObject({ reason: "manual", requestedBy: "ops@example.com" });

    const actions = await prisma.adminAction.findMany({ where: { shop: LISTED }, orderBy: { id: "asc" } });
    expect(actions.map((a) => [a.action, a.adminEmail])).toEqual(
      ["pause", "resume", "sync-products", "sync-inventory", "check-integrity"].map((a) => [a, "ops@example.com"]),
    );
    expect((await (await detail(LISTED)).json()).actions).toHaveLength(5);
  });

  it("previews the integrity check: what a real run would repair and flag, changing nothing; operators only, recorded", async () => {
    expect((await act(MESSY, "preview-integrity", viewer)).status).toBe(403);
    expect((await act(MESSY, "preview-integrity", operator, "forged")).status).toBe(403);

    const response = await act(MESSY, "preview-integrity");
    expect(response.status).toBe(200);
    const { ok, message, preview } = await response.json();
    expect(ok).toBe(true);
    expect(message).toBe(`Integrity check preview of ${MESSY}: 1 to repair, 1 to flag. Nothing was changed.`);
    expect(preview).toMatchObject({ shop: MESSY, dryRun: true, wouldRepair: 1, wouldFlag: 1 });
    const found = preview.checks.filter((c: { found: number }) => c.found > 0);
    expect(found).toEqual([
      expect.objectContaining({
        check: "deleted_product_listed",
        outcome: "would repair",
        examples: [expect.objectContaining({ id: "5" })],
      }),
      expect.objectContaining({
        check: "invalid_price",
        outcome: "would flag",
        examples: [{ id: "61", message: "price is 0.00" }],
      }),
    ]);

    // Nothing changed: still listed, nothing flagged, no alert, no sync event; only the dry run's WOULD_FIX record.
    expect((await prisma.product.findUniqueOrThrow({ where: { shop_id: { shop: MESSY, id: 5n } } })).listed).toBe(true);
    const findings = await prisma.integrityFinding.findMany({ where: { shop: MESSY } });
    expect(findings.map((f) => [f.check, f.outcome])).toEqual([["deleted_product_listed", "WOULD_FIX"]]);
    expect(await prisma.alert.count({ where: { shop: MESSY } })).toBe(0);
    expect(await prisma.syncEvent.count({ where: { shop: MESSY } })).toBe(0);
    const [action] = await prisma.adminAction.findMany({ where: { shop: MESSY } });
    expect(action).toMatchObject({
      action: "preview-integrity",
      adminEmail: "ops@example.com",
      details: { runId: preview.runId, wouldRepair: 1, wouldFlag: 1 },
    });

    // "Run it for real" is the check-integrity request: the job is queued.
    expect((await act(MESSY, "check-integrity")).status).toBe(200);
    expect((await queuedJobs("integrity-check")).map((j) => j.payload.shop)).toContain(MESSY);
  });

  it("refuses to sync an uninstalled shop", async () => {
    const response = await act(GONE, "sync-products");
    expect(response.status).toBe(409);
    expect((await queuedJobs()).filter((j) => j.payload.shop === GONE)).toEqual([]);
  });
});
