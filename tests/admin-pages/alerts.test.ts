import { beforeAll, describe, expect, it } from "vitest";
import { PAGE_SIZE } from "../../app/alerts/list-alerts.server";
import { alertsUrl } from "../../app/components/admin/AlertsPage";
import { pgPool, prisma } from "../../app/db.server";
import type { KeysetCursor } from "../../app/lib/keyset-cursor";
import { action, loader } from "../../app/routes/admin.alerts";
import { adminGet, adminPost, createAdmin, responseOf, routeArgs, signIn } from "../support/admin";
import { loadListPage, walkPages } from "../support/keyset-pages";

// The alerts page: tabs by status in the URL, the masked channels, acknowledge for operators only (with CSRF), and
// keyset pages of 50 followed through the page's own links.

let operator: { cookie: string; csrfToken: string };
let viewer: { cookie: string; csrfToken: string };
let openId: number;
let resolvedId: number;

async function load(search: string, cookie = operator.cookie) {
  return responseOf(() => loader(routeArgs(adminGet(`/admin/alerts${search}`, cookie))));
}

interface AlertsPageData {
  alerts: Array<{ id: number; shop: string | null; status: string; lastSeenAt: string }>;
  counts: Record<string, number>;
  next: KeysetCursor | null;
  previous: KeysetCursor | null;
}

const loadPage = (url: string) => loadListPage<AlertsPageData>(loader, url, operator.cookie);

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
      data: {
        ...base,
        type: "SYNC_FAILURE",
        shop: "a.myshopify.com",
        dedupeKey: "SYNC_FAILURE:a:product-sync",
        occurrences: 4,
        notifiedChannels: ["slack"],
      },
    })
  ).id;
  await prisma.alert.create({
    data: { ...base, type: "SYNC_STALE", shop: "b.myshopify.com", dedupeKey: "SYNC_STALE:b:*" },
  });
  resolvedId = (
    await prisma.alert.create({
      data: {
        ...base,
        type: "SYNC_FAILURE",
        shop: "a.myshopify.com",
        dedupeKey: "old",
        status: "RESOLVED",
        resolvedAt: new Date(),
      },
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
    expect(open.alerts.find((a: { id: number }) => a.id === openId)).toMatchObject({
      occurrences: 4,
      notifiedChannels: ["slack"],
    });
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
    expect((await acknowledge({ intent: "acknowledge", alertId: String(openId) }, operator, "forged")).status).toBe(
      403,
    );
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

describe("/admin/alerts: pages", () => {
  const SHOP_A = "paging-a.myshopify.com";
  const SHOP_B = "paging-b.myshopify.com";

  /** Every alert in the page's order, from the table itself (newest activity first, the higher id on a tie). */
  async function expected(status: string, shop?: string): Promise<number[]> {
    const all = await prisma.alert.findMany({ where: { status: status as "OPEN", ...(shop ? { shop } : {}) } });
    return all.sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime() || b.id - a.id).map((a) => a.id);
  }

  const walk = (status: "OPEN" | "RESOLVED", shop?: string) =>
    walkPages(
      (cursor: KeysetCursor | null) => loadPage(alertsUrl(status, shop, cursor)),
      (page) => page.alerts,
      PAGE_SIZE,
    );

  beforeAll(async () => {
    // 120 alerts over two shops, a tenth resolved; every minute is shared by two of them, so the id breaks ties.
    await pgPool().query(
      `INSERT INTO alert (type, severity, shop, dedupe_key, title, status, first_seen_at, last_seen_at)
       SELECT 'SYNC_FAILURE', 'WARNING', CASE WHEN i % 3 = 0 THEN $2 ELSE $1 END, 'paging:' || i, 'Paging ' || i,
              (CASE WHEN i % 10 = 0 THEN 'RESOLVED' ELSE 'OPEN' END)::"AlertStatus",
              timestamptz '2026-05-01T00:00:00Z', timestamptz '2026-05-10T12:00:00Z' - ((i * 37) % 60) * interval '1 minute'
         FROM generate_series(1, 120) AS i`,
      [SHOP_A, SHOP_B],
    );
  });

  it("walks every alert of a tab once, in order, 50 to a page, keeping the tab's counts", async () => {
    const pages = await walk("OPEN");
    const ids = pages.flatMap((page) => page.alerts.map((a) => a.id));
    const want = await expected("OPEN");
    expect(want.length).toBeGreaterThan(2 * PAGE_SIZE);
    expect(pages).toHaveLength(Math.ceil(want.length / PAGE_SIZE));
    expect(ids).toEqual(want);
    expect(new Set(ids).size).toBe(ids.length);
    for (const page of pages) expect(page.counts).toEqual(pages[0].counts);
    expect(pages[0].counts.OPEN).toBe(want.length);
  });

  it("goes back with `before` to exactly the previous page, and from the second page to the first", async () => {
    const [first, second, third] = await walk("OPEN");
    const backToSecond = await loadPage(alertsUrl("OPEN", undefined, third.previous));
    expect(backToSecond.alerts.map((a) => a.id)).toEqual(second.alerts.map((a) => a.id));
    expect(backToSecond.next).toEqual(second.next);
    const backToFirst = await loadPage(alertsUrl("OPEN", undefined, backToSecond.previous));
    expect(backToFirst.alerts.map((a) => a.id)).toEqual(first.alerts.map((a) => a.id));
    expect(backToFirst.previous).toBeNull();
  });

  it("keeps the shop filter and the tab in the page links", async () => {
    const pages = await walk("OPEN", SHOP_A);
    expect(pages.length).toBeGreaterThan(1);
    expect(new URL(alertsUrl("OPEN", SHOP_A, pages[0].next), "http://x").searchParams.get("shop")).toBe(SHOP_A);
    const ids = pages.flatMap((page) => page.alerts.map((a) => a.id));
    expect(ids).toEqual(await expected("OPEN", SHOP_A));
    expect(pages.flatMap((page) => page.alerts.map((a) => a.shop))).toEqual(ids.map(() => SHOP_A));
    expect((await walk("RESOLVED")).flatMap((page) => page.alerts.map((a) => a.id))).toEqual(
      await expected("RESOLVED"),
    );
  });

  it("shows the first page for a cursor that does not parse or that the columns could not hold", async () => {
    const first = await loadPage(alertsUrl("OPEN", undefined));
    for (const cursor of [
      "garbage",
      "1_2_3",
      "-99999999999999_1",
      "1778414400000_99999999999999999999",
      "1778414400000_1;--",
    ]) {
      for (const side of ["after", "before"]) {
        const page = await loadPage(`/admin/alerts?status=OPEN&${side}=${encodeURIComponent(cursor)}`);
        expect(
          page.alerts.map((a) => a.id),
          `${side}=${cursor}`,
        ).toEqual(first.alerts.map((a) => a.id));
        expect(page.previous).toBeNull();
      }
    }
  });
});
