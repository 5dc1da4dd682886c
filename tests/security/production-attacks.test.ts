import { request as httpRequest } from "node:http";
import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrResetAdminAccount } from "../../app/admin-auth/admin-accounts.server";
import { CSRF_FIELD } from "../../app/admin-auth/csrf-field";
import { BODY_LIMITS } from "../../app/lib/request-body.server";
import { DEMO_STACK_METRICS_TOKEN, type DemoStack } from "../../scripts/lib/demo-stack";
import { DESKTOP_CHROME_USER_AGENT, embeddedAppUrl } from "../../scripts/lib/embedded-app-url";
import { startProductionStack } from "../support/production-build";

// The attacks of issue 15, repeated against the app as production runs it: this run's production build served by
// `scripts/serve.ts` without --dev and with NODE_ENV unset (so `npm start` must imply production), over real HTTP.

const API_KEY = "attack-api-key";
const API_SECRET = "attack-api-secret-0123456789";
const PASSWORD = "attack-test-password-not-secret";
const OPERATOR = "attack-operator@marketplace.test";
const VIEWER = "attack-viewer@marketplace.test";
const SHOP = "birch-and-bloom.myshopify.com";

let stack: DemoStack;
let base: string;
/** Signed in before the throttling test spends this client address's free attempts. */
let viewerSession: SignedIn;
let operatorSession: SignedIn;
let signedOutSession: SignedIn;

beforeAll(async () => {
  await createOrResetAdminAccount({ email: OPERATOR, role: "OPERATOR", password: PASSWORD });
  await createOrResetAdminAccount({ email: VIEWER, role: "VIEWER", password: PASSWORD });
  stack = await startProductionStack({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    seedProducts: false,
    worker: false,
    env: { NODE_ENV: "" },
  });
  base = stack.appUrl;
  viewerSession = await signIn(VIEWER);
  operatorSession = await signIn(OPERATOR);
  signedOutSession = await signIn(OPERATOR);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

// A browser's user agent: the Shopify library answers node's own with 410 (a bot), which would hide what is behind it.
const BROWSER = { "User-Agent": DESKTOP_CHROME_USER_AGENT };
const get = (pathAndQuery: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${pathAndQuery}`, { headers: { ...BROWSER, ...headers }, redirect: "manual" });
const post = (pathAndQuery: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${base}${pathAndQuery}`, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { ...BROWSER, ...headers },
    redirect: "manual",
  });

interface SignedIn {
  cookie: string;
  csrfToken: string;
  setCookie: string;
}

/** Signs in over HTTP; the CSRF token is read from the session cookie (Remix's base64 JSON before the signature). */
async function signIn(email: string): Promise<SignedIn> {
  const response = await post("/admin/login", { email, password: PASSWORD });
  expect(response.status).toBe(302);
  const setCookie = response.headers.getSetCookie().find((c) => c.startsWith("__ms_admin="))!;
  const cookie = setCookie.split(";")[0];
  const value = decodeURIComponent(cookie.slice("__ms_admin=".length));
  const json = Buffer.from(value.slice(0, value.lastIndexOf(".")), "base64").toString("utf8");
  return { cookie, csrfToken: (JSON.parse(json) as { csrfToken: string }).csrfToken, setCookie };
}

/** The URL of a flat route module (app/routes/<name>), with sample values for its parameters. */
function routeUrl(file: string): string {
  const name = file.replace(/\.(tsx|ts)$/, "").replace(/\[\.(\w+)\]/g, "~$1");
  const segments = name
    .split(".")
    .map((segment) => segment.replace(/~/g, "."))
    .filter((segment) => segment !== "_index")
    .map((segment) => segment.replace(/_$/, ""))
    .map((segment) =>
      segment === "$" ? "anything" : segment.startsWith("$") ? `sample-${segment.slice(1)}` : segment,
    );
  return `/${segments.join("/")}`.replace(/\/+/g, "/");
}

const ROUTES = readdirSync(path.resolve("app/routes")).sort();
/** Open to anyone, by name: the health check, the sign-in pages, and Shopify's auth entry. */
const PUBLIC = new Map([
  ["healthz.ts", "the load balancer's health check"],
  ["admin.login.tsx", "the platform admin's sign-in page"],
  ["auth.login", "the shop-domain form of Shopify's login"],
]);
const CLOSED = [302, 401, 403, 404, 405];
/** Webhook routes answer a request without Shopify's headers and HMAC with the library's 400. */
const refusedAsMalformed = (file: string, status: number) => file.startsWith("webhooks.") && status === 400;

describe("closed by default (every route in app/routes)", () => {
  it("answers every route without credentials with 302/401/403/404/405, except the public ones named above", async () => {
    expect(ROUTES.length).toBeGreaterThan(20);
    const open: string[] = [];
    for (const file of ROUTES) {
      const url = routeUrl(file);
      for (const method of ["GET", "POST"] as const) {
        const response = method === "GET" ? await get(url) : await post(url, { intent: "x" });
        if (!CLOSED.includes(response.status) && !PUBLIC.has(file) && !refusedAsMalformed(file, response.status))
          open.push(`${method} ${url} (${file}): ${response.status}`);
        expect(response.status, `${method} ${url}`).toBeLessThan(500);
      }
      // Remix's data requests run only the loaders named in _routes: a route must close itself, not rely on its
      // layout's loader. Single fetch answers a redirect with 202, a thrown response with its status, and loader
      // data with 200 and a turbo-stream holding a "data" entry.
      const routeId = `routes/${file.replace(/\.(tsx|ts)$/, "")}`;
      const data = await get(`${url === "/" ? "/_root" : url}.data?${new URLSearchParams({ _routes: routeId })}`);
      const body = await data.text();
      const served = data.status === 200 && body.includes('"data"');
      if (served && !PUBLIC.has(file)) open.push(`GET ${url}.data (${file}): ${data.status} ${body.slice(0, 120)}`);
      expect(data.status, `GET ${url}.data`).toBeLessThan(500);
    }
    expect(open).toEqual([]);
  }, 120_000);

  it(
    "gives a viewer 403 on every operator action, and refuses every admin POST without the CSRF token",
    { timeout: 120_000 },
    async () => {
      const viewer = viewerSession;
      const operator = operatorSession;
      const anyRole = new Set(["admin.logout.tsx", "admin.sessions.tsx"]);
      const actions = [];
      for (const file of ROUTES.filter((f) => f.startsWith("admin.") && f !== "admin.login.tsx")) {
        const module = (await import(/* @vite-ignore */ path.resolve("app/routes", file))) as Record<string, unknown>;
        if (typeof module.action === "function") actions.push(file);
      }
      expect(actions).toEqual(
        expect.arrayContaining([
          "admin.alerts.tsx",
          "admin.jobs.tsx",
          "admin.findings.tsx",
          "admin.merchants_.$shop.tsx",
        ]),
      );
      for (const file of actions) {
        const url = routeUrl(file).replace("sample-shop", SHOP);
        if (!anyRole.has(file)) {
          const asViewer = await post(
            url,
            { intent: "approve", [CSRF_FIELD]: viewer.csrfToken },
            { Cookie: viewer.cookie },
          );
          expect(asViewer.status, `viewer POST ${url}`).toBe(403);
        }
        const noToken = await post(url, { intent: "approve" }, { Cookie: operator.cookie });
        expect(noToken.status, `POST ${url} without a CSRF token`).toBe(403);
      }
    },
  );
});

describe("sessions on a production build", () => {
  it("sets a Secure cookie (npm start without NODE_ENV is production), and a replayed cookie after sign-out is refused", async () => {
    const { cookie, csrfToken, setCookie } = signedOutSession;
    expect(setCookie).toMatch(/; Secure/i);
    expect((await get("/admin/merchants", { Cookie: cookie })).status).toBe(200);
    expect((await post("/admin/logout", { [CSRF_FIELD]: csrfToken }, { Cookie: cookie })).status).toBe(302);
    const replayed = await get("/admin/merchants", { Cookie: cookie });
    expect(replayed.status).toBe(302);
    expect(replayed.headers.get("Location")).toMatch(/^\/admin\/login/);
    expect(stack.output()).toContain("[serve] production server");
  });
});

describe("headers and /metrics", () => {
  it("sends frame-ancestors 'none', X-Frame-Options, nosniff and a Referrer-Policy on /admin", async () => {
    for (const url of ["/admin/login", "/admin/sync-monitor"]) {
      const response = await get(url);
      expect(response.headers.get("Content-Security-Policy")).toMatch(/frame-ancestors 'none'/);
      expect(response.headers.get("X-Frame-Options")).toBe("DENY");
      expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(response.headers.get("Referrer-Policy")).toBe("same-origin");
    }
  });

  it("runs an admin page's inline scripts by a nonce of that response only, never any inline script", async () => {
    const nonces: string[] = [];
    for (let i = 0; i < 2; i++) {
      const response = await get("/admin/login");
      const scriptSrc = (response.headers.get("Content-Security-Policy") ?? "")
        .split("; ")
        .find((d) => d.startsWith("script-src "));
      expect(scriptSrc).toMatch(/^script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}'$/);
      const nonce = /'nonce-([^']+)'/.exec(scriptSrc!)![1];
      nonces.push(nonce);
      const html = await response.text();
      const inlineScripts = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1]);
      expect(inlineScripts.length).toBeGreaterThan(0); // Remix's hydration data and module loader
      for (const attributes of inlineScripts) expect(attributes).toContain(`nonce="${nonce}"`);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it("keeps the embedded app's Shopify CSP (framed by the shop's admin only)", async () => {
    const entry = new URL(
      embeddedAppUrl({ appUrl: base, shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, ttlSeconds: 60 }),
    );
    const response = await get(`${entry.pathname}${entry.search}`, { "User-Agent": DESKTOP_CHROME_USER_AGENT });
    expect(response.headers.get("Content-Security-Policy")).toMatch(
      new RegExp(`frame-ancestors https://${SHOP.replace(/\./g, "\\.")} https://admin\\.shopify\\.com`),
    );
    expect(response.headers.get("X-Frame-Options")).toBeNull();
  });

  it("requires the metrics token", async () => {
    expect((await get("/metrics")).status).toBe(401);
    expect((await get("/metrics", { Authorization: "Bearer wrong-token-0123456789" })).status).toBe(401);
    expect((await get("/metrics", { Authorization: `Bearer ${DEMO_STACK_METRICS_TOKEN}` })).status).toBe(200);
  });
});

/**
 * POSTs `total` bytes in 64 KiB chunks (chunked unless `headers` declare a length) as fast as the server takes them;
 * resolves with the status (null when the server closed the connection before its answer was read) and how much
 * was sent by then.
 */
function sendBody(
  pathname: string,
  total: number,
  headers: Record<string, string>,
): Promise<{ status: number | null; sent: number }> {
  return new Promise((resolve) => {
    let sent = 0;
    let settled = false;
    const settle = (status: number | null) => {
      if (settled) return;
      settled = true;
      resolve({ status, sent });
      request.destroy();
    };
    const request = httpRequest(
      new URL(pathname, base),
      { method: "POST", headers: { ...BROWSER, ...headers } },
      (response) => {
        response.resume();
        settle(response.statusCode ?? 0);
      },
    );
    request.on("error", () => settle(null));
    const chunk = Buffer.alloc(64 * 1024, "a");
    const write = () => {
      while (!settled && sent < total) {
        sent += chunk.length;
        if (!request.write(chunk)) return void request.once("drain", write);
      }
      if (!settled) request.end();
    };
    if (total > 0) write();
    else request.flushHeaders();
  });
}

describe("request bodies", () => {
  const FORM = { "Content-Type": "application/x-www-form-urlencoded" };
  const HUNDRED_MB = 100 * 1024 * 1024;

  it("answers 413 to a form or a webhook past its limit, declared or streamed, before reading it", async () => {
    // Declared: refused on the headers alone, not one byte of the body sent.
    expect(await sendBody("/admin/login", 0, { ...FORM, "Content-Length": String(HUNDRED_MB) })).toEqual({
      status: 413,
      sent: 0,
    });
    expect(
      await sendBody("/webhooks/products/update", 0, {
        "Content-Type": "application/json",
        "Content-Length": String(HUNDRED_MB),
      }),
    ).toEqual({
      status: 413,
      sent: 0,
    });
    // Streamed without a length: counted while read.
    expect((await sendBody("/admin/login", BODY_LIMITS.adminForm * 4, FORM)).status).toBe(413);
    expect((await sendBody("/auth/login", BODY_LIMITS.adminForm * 4, FORM)).status).toBe(413);
  });

  it("stops reading a 100 MB stream at the limit: the server answers (or closes) long before it is all sent", async () => {
    for (const [pathname, headers] of [
      ["/admin/login", FORM],
      ["/webhooks/products/update", { "Content-Type": "application/json" }],
    ] as const) {
      const { status, sent } = await sendBody(pathname, HUNDRED_MB, headers);
      expect([413, null], pathname).toContain(status);
      expect(sent, pathname).toBeLessThan(HUNDRED_MB / 2);
    }
    expect((await get("/healthz")).status).toBe(200);
  });
});

describe("garbage input never answers 500", () => {
  it(
    "answers NUL bytes, over-long and malformed values in every form and query parameter with 4xx or the default view",
    { timeout: 120_000 },
    async () => {
      const operator = operatorSession;
      const auth = { Cookie: operator.cookie };
      const NUL = "%00";
      const LONG = "x".repeat(5000);
      const pages = [
        `/admin/alerts?shop=${NUL}`,
        `/admin/alerts?status=${NUL}&after=${NUL}`,
        `/admin/alerts?shop=${LONG}`,
        `/admin/findings?check=${NUL}`,
        `/admin/findings?shop=${NUL}&resolution=${NUL}&before=${NUL}`,
        `/admin/jobs?task=${NUL}`,
        `/admin/jobs?shop=${NUL}&state=${NUL}&after=${NUL}`,
        `/admin/jobs?task=${LONG}`,
        `/admin/merchants?q=${NUL}`,
        `/admin/merchants?q=${LONG}&approval=${NUL}&after=${NUL}`,
        `/admin/sync-monitor?shop=${NUL}&type=${NUL}&from=${NUL}&sort=${NUL}&pageSize=${NUL}&after=${NUL}`,
        `/admin/sync-monitor/export.csv?shop=${NUL}`,
        `/admin/sync-monitor/${NUL}`,
        `/admin/merchants/${NUL}`,
        `/admin/sessions?x=${NUL}`,
        `/admin/login?redirectTo=${NUL}`,
      ];
      for (const page of pages) {
        const response = await get(page, auth);
        expect(response.status, page).toBeLessThan(500);
        expect([200, 302, 400, 404, 414, 431], page).toContain(response.status);
      }
      const forms: [string, Record<string, string>][] = [
        ["/admin/alerts", { intent: "acknowledge", alertId: "\u0000" }],
        ["/admin/alerts", { intent: "\u0000", alertId: "1".repeat(400) }],
        ["/admin/findings", { intent: "resolve", findingId: "\u0000" }],
        ["/admin/jobs", { intent: "\u0000", jobId: "\u0000" }],
        [`/admin/merchants/${SHOP}`, { intent: "\u0000" }],
        ["/admin/sessions", { intent: "end", sessionId: "\u0000" }],
      ];
      for (const [url, fields] of forms) {
        const response = await post(url, { ...fields, [CSRF_FIELD]: operator.csrfToken }, auth);
        expect(response.status, `${url} ${JSON.stringify(fields)}`).toBeGreaterThanOrEqual(400);
        expect(response.status, `${url} ${JSON.stringify(fields)}`).toBeLessThan(500);
      }
      for (const email of ["\u0000@example.com", `ops\u0000@example.com`, "x".repeat(400)]) {
        expect((await post("/admin/login", { email, password: "whatever" })).status).toBe(400);
      }
    },
  );

  it("the merchant's products page shows its default view for a bogus status or selection", async () => {
    const entry = new URL(
      embeddedAppUrl({ appUrl: base, shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, ttlSeconds: 60 }),
    );
    const browser = { "User-Agent": DESKTOP_CHROME_USER_AGENT };
    expect((await get(`${entry.pathname}${entry.search}`, browser)).status).toBeLessThan(400); // installs the shop
    for (const query of ["status=BOGUS", "selection=[]", `query=%00`, `page=${"9".repeat(40)}`]) {
      const response = await get(`/app/products${entry.search}&${query}`, browser);
      expect(response.status, query).toBe(200);
    }
  });
});

// Last: it spends this client address's free attempts.
describe("sign-in throttling on a production build", () => {
  it("delays guessing with growing waits until it answers 429 with Retry-After, and every failure before reads alike", async () => {
    const email = "attack-target@marketplace.test";
    await createOrResetAdminAccount({ email, role: "OPERATOR", password: PASSWORD });
    const bodies = new Set<string>();
    let throttled: Response | undefined;
    // The delays double (1 s, 2 s, 4 s ...), so a few attempts in a row always meet one, however slow the machine.
    for (let i = 0; i < 15 && !throttled; i++) {
      const response = await post("/admin/login", { email, password: "wrong password!" });
      if (response.status === 429) throttled = response;
      else {
        expect(response.status).toBe(401);
        // Alike but for the script nonce, which is fresh in every response by design.
        bodies.add((await response.text()).replace(/nonce="[^"]*"/g, 'nonce=""'));
      }
    }
    expect(bodies.size).toBe(1);
    expect(throttled?.status).toBe(429);
    expect(Number(throttled!.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
