import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrResetAdminAccount } from "../../app/admin-auth/admin-accounts.server";
import { prisma } from "../../app/db.server";
import { createLogger, graphileWorkerLogger } from "../../app/lib/logger.server";
import type { DemoStack } from "../../scripts/lib/demo-stack";
import { DESKTOP_CHROME_USER_AGENT, embeddedAppUrl } from "../../scripts/lib/embedded-app-url";
import { startProductionStack } from "../support/production-build";

// Issue 17 item 7: the app's logs are a JSON line per event, searchable by shop, and no secret reaches them. The app
// runs as production runs it (this run's production build, scripts/serve.ts, real HTTP to the emulator); its
// captured output is searched for the API secret, the shop's access and refresh tokens, the session token and the
// admin's session cookie after an install, merchant pages and signed-in admin pages.

const API_KEY = "logs-api-key";
const API_SECRET = "logs-api-secret-0123456789abcdef";
const SHOP = "birch-and-bloom.myshopify.com";
const OPERATOR = "logs-operator@marketplace.test";
const PASSWORD = "logs-test-password-not-secret";

let stack: DemoStack;

beforeAll(async () => {
  await createOrResetAdminAccount({ email: OPERATOR, role: "OPERATOR", password: PASSWORD });
  stack = await startProductionStack({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    seedProducts: false,
    worker: false,
    env: { LOG_LEVEL: "info", LOG_FORMAT: "" },
  });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

/** The app's output lines, parsed: in production every line it writes is one JSON object (a line that is not throws). */
function jsonLines(output: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`a log line is not JSON: ${line.slice(0, 200)}`);
      }
    });
}

describe("the production server's logs", () => {
  it("are JSON lines with shop and scope fields, and hold none of the secrets the run handled", async () => {
    const browser = { "User-Agent": DESKTOP_CHROME_USER_AGENT };
    const entry = new URL(
      embeddedAppUrl({ appUrl: stack.appUrl, shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, ttlSeconds: 60 }),
    );
    const sessionToken = entry.searchParams.get("id_token")!;
    // Installs the shop: token exchange with the emulator, an offline session with access and refresh tokens.
    expect((await fetch(entry, { headers: browser, redirect: "manual" })).status).toBeLessThan(400);
    // A merchant page's data request, with the session token as App Bridge sends it.
    await fetch(`${stack.appUrl}/app/products${entry.search}`, {
      headers: { ...browser, Authorization: `Bearer ${sessionToken}` },
    });
    // A signed-in admin page: the session cookie in the request's headers.
    const signIn = await fetch(`${stack.appUrl}/admin/login`, {
      method: "POST",
      body: new URLSearchParams({ email: OPERATOR, password: PASSWORD }),
      headers: browser,
      redirect: "manual",
    });
    const adminCookie = signIn.headers
      .getSetCookie()
      .find((c) => c.startsWith("__ms_admin="))!
      .split(";")[0];
    expect(
      (await fetch(`${stack.appUrl}/admin/sync-monitor`, { headers: { ...browser, Cookie: adminCookie } })).status,
    ).toBe(200);

    const session = await prisma.session.findFirstOrThrow({ where: { shop: SHOP, isOnline: false } });
    expect(session.accessToken.length).toBeGreaterThan(10);
    const secrets = {
      "API secret": API_SECRET,
      "access token": session.accessToken,
      // Offline sessions hold a refresh token once the app asks for expiring tokens (the emulator issues them).
      ...(session.refreshToken ? { "refresh token": session.refreshToken } : {}),
      "session token": sessionToken,
      "admin session cookie": adminCookie.slice("__ms_admin=".length),
    };

    // The lines of the requests above are written when their responses finish; wait for the last one's.
    await expect
      .poll(() => jsonLines(stack.output()).some((l) => l.scope === "http" && l.url === "/admin/sync-monitor"), {
        timeout: 10_000,
      })
      .toBe(true);
    const output = stack.output();
    for (const [name, value] of Object.entries(secrets))
      expect(output.includes(value), `${name} in the logs`).toBe(false);

    const lines = jsonLines(output);
    expect(lines.find((l) => l.scope === "merchants" && l.shop === SHOP && l.outcome === "installed")).toMatchObject({
      level: "info",
    });
    const request = lines.find(
      (l) => l.scope === "http" && typeof l.url === "string" && l.url.startsWith("/app/products"),
    );
    expect(request).toMatchObject({ method: "GET", status: expect.any(Number), durationMs: expect.any(Number) });
    expect((request!.headers as Record<string, string>).authorization).toBe("[redacted]");
    expect(
      lines.every((l) => typeof l.time === "string" && typeof l.level === "string" && typeof l.msg === "string"),
    ).toBe(true);
  }, 120_000);
});

describe("graphile-worker's lines", () => {
  it("keep the job's id, attempt, shop, outcome and duration, and leave its payload out", () => {
    const lines: string[] = [];
    const worker = graphileWorkerLogger(createLogger({ format: "json", write: (line) => lines.push(line) }));
    const job = {
      id: "42",
      attempts: 2,
      max_attempts: 3,
      task_identifier: "product-webhook",
      payload: {
        shop: "birch-and-bloom.myshopify.com",
        payload: { title: "A merchant's private draft", body_html: "<p>…</p>" },
      },
    };
    worker
      .scope({ taskIdentifier: "product-webhook", jobId: "42" })
      .info("Completed task 42 (product-webhook) with success", { job, duration: 12.7, success: true } as never);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({
      level: "info",
      scope: "worker",
      task: "product-webhook",
      jobId: "42",
      attempt: 2,
      maxAttempts: 3,
      shop: "birch-and-bloom.myshopify.com",
      durationMs: 13,
      outcome: "success",
    });
    expect(lines[0]).not.toContain("private draft");
    expect(line.job).toBeUndefined();
  });
});

describe("the logger's redaction list", () => {
  it("censors every kind of secret the app holds, wherever it sits in a logged object", () => {
    const lines: string[] = [];
    const log = createLogger({ format: "json", write: (line) => lines.push(line) });
    log.info(
      {
        shop: SHOP,
        session: { shop: SHOP, accessToken: "tok-access-1", refreshToken: "tok-refresh-1" },
        tokenResponse: { access_token: "tok-access-2", refresh_token: "tok-refresh-2" },
        config: {
          apiSecretKey: "tok-secret-1",
          smtp: { auth: { user: "mailer", pass: "tok-smtp-1" } },
          SMTP_PASSWORD: "tok-smtp-2",
        },
        req: { headers: { authorization: "tok-auth-1", cookie: "tok-cookie-1" } },
        res: { headers: { "set-cookie": "tok-cookie-2", "X-Shopify-Access-Token": "tok-access-3" } },
      },
      "an event that carries secrets",
    );
    const line = lines.join("");
    expect(line.match(/tok-[a-z]+-\d/g) ?? []).toEqual([]);
    expect(JSON.parse(line)).toMatchObject({
      shop: SHOP,
      session: { shop: SHOP, accessToken: "[redacted]" },
      config: { smtp: { auth: { user: "mailer" } } },
    });
  });

  it("scrubs configured secret values and token-shaped strings from messages and errors", () => {
    const lines: string[] = [];
    const log = createLogger({ format: "json", write: (line) => lines.push(line) });
    const previous = process.env.SMTP_PASSWORD;
    process.env.SMTP_PASSWORD = "smtp-password-in-an-error-text";
    try {
      log.error(
        { err: new Error("535 auth failed for smtp-password-in-an-error-text") },
        "sent with shpat_0123456789abcdef, Bearer abc.def.ghi, /app?id_token=eyJ0.x.y&shop=s",
      );
    } finally {
      if (previous === undefined) delete process.env.SMTP_PASSWORD;
      else process.env.SMTP_PASSWORD = previous;
    }
    const line = lines.join("");
    for (const secret of ["smtp-password-in-an-error-text", "shpat_0123456789abcdef", "abc.def.ghi", "eyJ0.x.y"])
      expect(line).not.toContain(secret);
    expect(line).toContain("&shop=s");
  });
});
