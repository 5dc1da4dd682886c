import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "../../app/db.server";
import { action, loader } from "../../app/routes/admin.alerts";
import { adminGet, adminPost, createAdmin, responseOf, routeArgs, signIn } from "../support/admin";

// The alerts page: tabs by status in the URL, the masked channels, and acknowledge for operators only (with CSRF).

let operator: { cookie: string; csrfToken: string };
let viewer: { cookie: string; csrfToken: string };
let openId: number;
let resolvedId: number;

async function load(search: string, cookie = operator.cookie) {
  return responseOf(() => loader(routeArgs(adminGet(`/admin/alerts${search}`, cookie))));
}

async function acknowledge(fields: Record<string, string>, who = operator, csrf = who.csrfToken) {
  return responseOf(() => action(routeArgs(adminPost("/admin/alerts", who.cookie, fields, csrf))));
}

beforeAll(async () => {
  await createAdmin("ops@example.com", "OPERATOR");
  await createAdmin("viewer@example.com", "VIEWER");
  operator = await signIn("ops@example.com");
  viewer = await signIn("viewer@example.com");
  const base = { severity: "CRITICAL" as const, jobType: "product-sync", title: "Product sync failed" };
  openId = (
    await prisma.alert.create({
      data: { ...base, type: "SYNC_FAILURE", shop: "a.myshopify.com", dedupeKey: "SYNC_FAILURE:a:product-sync", occurrences: 4, notifiedChannels: ["slack"] },
    })
  ).id;
  await prisma.alert.create({ data: { ...base, type: "SYNC_STALE", shop: "b.myshopify.com", dedupeKey: "SYNC_STALE:b:*" } });
  resolvedId = (
    await prisma.alert.create({
      data: { ...base, type: "SYNC_FAILURE", shop: "a.myshopify.com", dedupeKey: "old", status: "RESOLVED", resolvedAt: new Date() },
    })
  ).id;
});

describe("/admin/alerts", () => {
  it("redirects to sign-in without the admin cookie", async () => {
    const response = await responseOf(() => loader(routeArgs(adminGet("/admin/alerts"))));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toContain("/admin/login");
  });

  it("lists open alerts by default with counts per tab, channels masked, and filters by status and shop", async () => {
    const open = await (await load("")).json();
    expect(open.status).toBe("OPEN");
    expect(open.counts).toEqual({ OPEN: 2, ACKNOWLEDGED: 0, RESOLVED: 1 });
    expect(open.alerts).toHaveLength(2);
    expect(open.alerts.find((a: { id: number }) => a.id === openId)).toMatchObject({ occurrences: 4, notifiedChannels: ["slack"] });
    expect(open.channels.map((c: { name: string }) => c.name)).toEqual(["slack", "email", "webhook"]);
    expect(open.canAct).toBe(true);

    const resolved = await (await load("?status=RESOLVED")).json();
    expect(resolved.alerts.map((a: { id: number }) => a.id)).toEqual([resolvedId]);
    const onlyB = await (await load("?shop=b.myshopify.com")).json();
    expect(onlyB.alerts.map((a: { shop: string }) => a.shop)).toEqual(["b.myshopify.com"]);
    // Garbage in the URL falls back to the default tab.
    expect((await (await load("?status=bogus")).json()).status).toBe("OPEN");
    expect((await (await load("", viewer.cookie)).json()).canAct).toBe(false);
  });

  it("refuses a viewer (403) and a missing or wrong CSRF token (403)", async () => {
    expect((await acknowledge({ intent: "acknowledge", alertId: String(openId) }, viewer)).status).toBe(403);
    expect((await acknowledge({ intent: "acknowledge", alertId: String(openId) }, operator, "forged")).status).toBe(403);
    expect((await prisma.alert.findUniqueOrThrow({ where: { id: openId } })).status).toBe("OPEN");
  });

  it("answers malformed and unknown ids with 400 and 404, a resolved alert with 409", async () => {
    expect((await acknowledge({ intent: "acknowledge", alertId: "abc" })).status).toBe(400);
    expect((await acknowledge({ intent: "explode", alertId: "1" })).status).toBe(400);
    expect((await acknowledge({ intent: "acknowledge", alertId: "999999" })).status).toBe(404);
    expect((await acknowledge({ intent: "acknowledge", alertId: String(resolvedId) })).status).toBe(409);
  });

  it("acknowledges an open alert as the signed-in operator", async () => {
    const response = await acknowledge({ intent: "acknowledge", alertId: String(openId) });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true });
    const alert = await prisma.alert.findUniqueOrThrow({ where: { id: openId } });
    expect(alert).toMatchObject({ status: "ACKNOWLEDGED", acknowledgedBy: "ops@example.com" });
    const tabs = await (await load("?status=ACKNOWLEDGED")).json();
    expect(tabs.alerts.map((a: { id: number }) => a.id)).toEqual([openId]);
    // Twice is a conflict, not a second acknowledgement.
    expect((await acknowledge({ intent: "acknowledge", alertId: String(openId) })).status).toBe(409);
  });
});
