import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasControlCharacters, userText } from "../../app/lib/user-text";
import {
  TEST_PASSWORD,
  adminGet,
  adminPost,
  createAdmin,
  loginRequest,
  responseOf,
  routeArgs,
  signIn,
} from "../support/admin";
import { embeddedRequest, startShopifyAppUnderTest, type ShopifyAppUnderTest } from "../merchants/support/shopify-app";

// Garbage in every form field and query parameter of the admin and merchant pages, through the route modules as
// Remix calls them: each answers 4xx or its default view, never 500 (a NUL byte reaching PostgreSQL is a 500).
// tests/security/production-attacks.test.ts repeats a share of these over HTTP against the production build.

const NUL = "\u0000";
const LONG = "x".repeat(5000);
const SHOP = "garbage-owner.myshopify.com";
let app: ShopifyAppUnderTest;
let operator: { cookie: string; csrfToken: string };

beforeAll(async () => {
  app = await startShopifyAppUnderTest();
  app.emulator.control.createShop({ domain: SHOP });
  await createAdmin("garbage-ops@example.com", "OPERATOR");
  operator = await signIn("garbage-ops@example.com");
});

afterAll(async () => {
  await app?.stop();
});

const q = (params: Record<string, string>) => `?${new URLSearchParams(params)}`;

describe("userText", () => {
  it("refuses control characters (NUL included) and over-long text, trims the rest", () => {
    expect(userText(10).safeParse(` a${NUL}b `).success).toBe(false);
    expect(userText(10).safeParse("a\u001bb").success).toBe(false);
    expect(userText(3).safeParse("abcd").success).toBe(false);
    expect(userText(10).parse("  shop  ")).toBe("shop");
    expect(hasControlCharacters("émoji ✓")).toBe(false);
  });
});

describe("admin pages", () => {
  const pages: [string, string, Record<string, string>][] = [
    ["admin.alerts", "/admin/alerts", { shop: NUL }],
    ["admin.alerts", "/admin/alerts", { shop: LONG, status: NUL, after: NUL }],
    ["admin.findings", "/admin/findings", { check: NUL }],
    ["admin.findings", "/admin/findings", { shop: NUL, check: LONG, resolution: NUL, before: NUL }],
    ["admin.jobs", "/admin/jobs", { task: NUL }],
    ["admin.jobs", "/admin/jobs", { task: LONG, shop: NUL, state: NUL, after: NUL }],
    ["admin.merchants", "/admin/merchants", { q: NUL }],
    ["admin.merchants", "/admin/merchants", { q: LONG, approval: NUL, after: NUL, before: LONG }],
    [
      "admin.sync-monitor",
      "/admin/sync-monitor",
      { shop: NUL, type: NUL, status: NUL, from: NUL, to: LONG, sort: NUL, pageSize: NUL, after: NUL },
    ],
    ["admin.sync-monitor_.export[.csv]", "/admin/sync-monitor/export.csv", { shop: NUL, sort: NUL }],
    ["admin.sessions", "/admin/sessions", { x: NUL }],
  ];

  it("shows the default view (200) for NUL, over-long and malformed filters", async () => {
    for (const [module, path, params] of pages) {
      const route = (await import(/* @vite-ignore */ `../../app/routes/${module}.tsx`)) as {
        loader: (args: unknown) => Promise<unknown>;
      };
      const response = await responseOf(() =>
        route.loader(routeArgs(adminGet(`${path}${q(params)}`, operator.cookie))),
      );
      expect(response.status, `${path} ${JSON.stringify(params).slice(0, 80)}`).toBe(200);
      if (path.endsWith(".csv")) await response.text();
    }
  });

  it("answers 404 to a NUL or malformed path parameter", async () => {
    const detail = await import("../../app/routes/admin.merchants_.$shop");
    const event = await import("../../app/routes/admin.sync-monitor_.$eventId");
    for (const shop of [NUL, LONG, "not a shop"]) {
      expect(
        (await responseOf(() => detail.loader(routeArgs(adminGet("/admin/merchants/x", operator.cookie), { shop }))))
          .status,
      ).toBe(404);
    }
    for (const eventId of [NUL, LONG, "-1", "1e99"]) {
      expect(
        (
          await responseOf(() =>
            event.loader(routeArgs(adminGet("/admin/sync-monitor/x", operator.cookie), { eventId })),
          )
        ).status,
      ).toBe(404);
    }
  });

  it("answers 400 to NUL, over-long and malformed form fields", async () => {
    const forms: [string, string, Record<string, string>, Record<string, string>?][] = [
      ["admin.alerts", "/admin/alerts", { intent: "acknowledge", alertId: NUL }],
      ["admin.alerts", "/admin/alerts", { intent: NUL, alertId: "9".repeat(400) }],
      ["admin.findings", "/admin/findings", { intent: "resolve", findingId: NUL }],
      ["admin.jobs", "/admin/jobs", { intent: NUL, jobId: NUL }],
      ["admin.jobs", "/admin/jobs", { intent: "retry", jobId: LONG }],
      ["admin.merchants_.$shop", `/admin/merchants/${SHOP}`, { intent: NUL }, { shop: SHOP }],
      ["admin.sessions", "/admin/sessions", { intent: "end", sessionId: NUL }],
    ];
    for (const [module, path, fields, params] of forms) {
      const route = (await import(/* @vite-ignore */ `../../app/routes/${module}.tsx`)) as {
        action: (args: unknown) => Promise<unknown>;
      };
      const response = await responseOf(() =>
        route.action(routeArgs(adminPost(path, operator.cookie, fields, operator.csrfToken), params)),
      );
      expect(response.status, `${path} ${JSON.stringify(fields).slice(0, 80)}`).toBe(400);
    }
  });

  it("answers 400 to a sign-in email with a NUL byte or control characters, or too long", async () => {
    const login = await import("../../app/routes/admin.login");
    for (const email of [
      `${NUL}@example.com`,
      `garbage-ops${NUL}@example.com`,
      "a\u0007@example.com",
      `${LONG}@example.com`,
    ]) {
      const response = await responseOf(() =>
        login.action(routeArgs(loginRequest({ email, password: TEST_PASSWORD }))),
      );
      expect(response.status, JSON.stringify(email).slice(0, 40)).toBe(400);
    }
  });
});

describe("merchant pages", () => {
  it("shows the products page's default view for a bogus status, selection, search or page", async () => {
    const route = await import("../../app/routes/app.products");
    const load = (search: string) =>
      route.loader({ request: embeddedRequest(SHOP, `/app/products${search}`), params: {}, context: {} });
    const fallback = await load("");
    const garbage: Record<string, string>[] = [
      { status: "BOGUS" },
      { selection: "[]" },
      { query: NUL },
      { query: LONG },
      { page: "9".repeat(40) },
      { status: NUL, selection: NUL },
    ];
    for (const params of garbage) {
      const view = (await load(q(params))) as { filter: unknown };
      expect(view.filter, JSON.stringify(params).slice(0, 40)).toEqual((fallback as { filter: unknown }).filter);
    }
  });

  it("refuses a bogus filter in a bulk action with 400 instead of acting on every product", async () => {
    const route = await import("../../app/routes/app.products");
    const forms: Record<string, string>[] = [
      { intent: "deselect-matching", status: "BOGUS" },
      { intent: "select-matching", query: NUL },
      { intent: "select", ids: NUL },
    ];
    for (const fields of forms) {
      const request = embeddedRequest(SHOP, "/app/products", { method: "POST", body: new URLSearchParams(fields) });
      // The route answers with data(), Remix's (data, init) pair.
      const result = (await route.action({ request, params: {}, context: {} })) as unknown as {
        init: { status?: number } | null;
      };
      expect(result.init?.status, JSON.stringify(fields)).toBe(400);
    }
  });
});
