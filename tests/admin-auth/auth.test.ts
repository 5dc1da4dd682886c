import { describe, expect, it } from "vitest";
import { requireAdmin, requireOperator } from "../../app/admin-auth/guards.server";
import { hashPassword, verifyPassword } from "../../app/admin-auth/password-hash.server";
import { safeAdminRedirect } from "../../app/admin-auth/safe-redirect";
import { SIGN_IN_REFUSED, attemptSignIn } from "../../app/admin-auth/sign-in.server";
import { SIGN_IN_THROTTLE } from "../../app/admin-auth/sign-in-throttle.server";
import { parseEnv } from "../../app/env.server";
import { pgPool, prisma } from "../../app/db.server";
import { action as loginAction, loader as loginLoader } from "../../app/routes/admin.login";
import { action as logoutAction } from "../../app/routes/admin.logout";
import { action as sessionsAction, loader as sessionsLoader } from "../../app/routes/admin.sessions";
import { loader as layoutLoader } from "../../app/routes/admin";
import { loader as indexLoader } from "../../app/routes/admin._index";
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

describe("password hashes", () => {
  it("are salted scrypt strings with their parameters, verified in constant time", async () => {
    const a = await hashPassword("s3cret-password!");
    const b = await hashPassword("s3cret-password!");
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("s3cret-password!", a)).toBe(true);
    expect(await verifyPassword("s3cret-password?", a)).toBe(false);
    expect(await verifyPassword("x", "not-a-hash")).toBe(false);
    expect(await verifyPassword("x", "scrypt$1073741824$8$1$AA$AA")).toBe(false); // absurd cost refused
  });
});

describe("signing in and out", () => {
  it("signs in with the right password, sets an httpOnly SameSite=Lax cookie scoped to /admin, and goes back", async () => {
    await createAdmin("ops@example.com");
    const response = (await loginAction(
      routeArgs(loginRequest({ email: " OPS@example.com ", password: TEST_PASSWORD, redirectTo: "/admin/jobs?x=1" })),
    )) as Response;
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/admin/jobs?x=1");
    const cookie = response.headers.get("Set-Cookie")!;
    expect(cookie).toMatch(/^__ms_admin=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/admin/);
    expect(cookie).toMatch(/Max-Age=28800/);
    expect(cookie).not.toMatch(/Secure/); // only in production
    const user = await prisma.adminUser.findUniqueOrThrow({ where: { email: "ops@example.com" } });
    expect(user.lastLoginAt).not.toBeNull();
  });

  it("refuses a wrong password and an unknown email with the same message", async () => {
    await createAdmin("viewer@example.com", "VIEWER");
    for (const fields of [
      { email: "viewer@example.com", password: "wrong password!" },
      { email: "nobody@example.com", password: TEST_PASSWORD },
    ]) {
      const response = await responseOf(() => loginAction(routeArgs(loginRequest(fields))));
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: SIGN_IN_REFUSED });
      expect(response.headers.get("Set-Cookie")).toBeNull();
    }
    const garbage = await responseOf(() => loginAction(routeArgs(loginRequest({ email: "" }))));
    expect(garbage.status).toBe(400);
  });

  it("never redirects off the admin area after signing in", async () => {
    expect(safeAdminRedirect("https://evil.example/admin")).toBe("/admin/sync-monitor");
    expect(safeAdminRedirect("//evil.example")).toBe("/admin/sync-monitor");
    expect(safeAdminRedirect("/admin\\@evil")).toBe("/admin/sync-monitor");
    expect(safeAdminRedirect("/app")).toBe("/admin/sync-monitor");
    expect(safeAdminRedirect("/admin/login")).toBe("/admin/sync-monitor");
    expect(safeAdminRedirect("/administrator")).toBe("/admin/sync-monitor");
    expect(safeAdminRedirect("/admin/alerts?status=OPEN")).toBe("/admin/alerts?status=OPEN");
  });

  it("refuses a cross-site sign-in form (login CSRF)", async () => {
    await createAdmin("ops@example.com");
    const response = await responseOf(() =>
      loginAction(
        routeArgs(
          loginRequest({ email: "ops@example.com", password: TEST_PASSWORD }, { "Sec-Fetch-Site": "cross-site" }),
        ),
      ),
    );
    expect(response.status).toBe(403);
  });

  it("signs out with the CSRF token only, and the old cookie is then refused", async () => {
    await createAdmin("ops@example.com");
    const { cookie, csrfToken } = await signIn("ops@example.com");
    const refused = await responseOf(() => logoutAction(routeArgs(adminPost("/admin/logout", cookie, {}, "forged"))));
    expect(refused.status).toBe(403);

    const response = await responseOf(() => logoutAction(routeArgs(adminPost("/admin/logout", cookie, {}, csrfToken))));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/admin/login");
    const cleared = response.headers.get("Set-Cookie")!;
    expect(cleared).toMatch(/^__ms_admin=;/);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
    // A copy of the cookie kept from before (a stolen cookie, a saved request) opens nothing any more.
    for (const path of ["/admin/sync-monitor", "/admin/merchants"]) {
      const replayed = await responseOf(() => layoutLoader(routeArgs(adminGet(path, cookie))));
      expect(replayed.status).toBe(302);
      expect(replayed.headers.get("Location")).toMatch(/^\/admin\/login\?redirectTo=/);
    }
    expect(
      (await responseOf(() => logoutAction(routeArgs(adminPost("/admin/logout", cookie, {}, csrfToken))))).status,
    ).toBe(302);
    expect(await prisma.adminSession.count()).toBe(0);
  });
});

describe("guards", () => {
  it("redirects a request without the admin cookie to the sign-in page, keeping where it was going", async () => {
    const response = await responseOf(() =>
      layoutLoader(routeArgs(adminGet("/admin/sync-monitor?shop=a.myshopify.com"))),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(
      `/admin/login?redirectTo=${encodeURIComponent("/admin/sync-monitor?shop=a.myshopify.com")}`,
    );
  });

  it("ignores a merchant's Shopify session and forged or tampered cookies", async () => {
    await createAdmin("ops@example.com");
    const { cookie } = await signIn("ops@example.com");
    const [name, value] = cookie.split("=");
    const tampered = `${name}=${value.slice(0, -3)}abc`;
    for (const header of [
      "shopify_app_session=offline_shop.myshopify.com",
      tampered,
      `${name}=eyJhZG1pblVzZXJJZCI6MX0%3D`,
    ]) {
      const response = await responseOf(() => requireAdmin(adminGet("/admin/sync-monitor", header)));
      expect(response.status).toBe(302);
    }
  });

  it("gives the layout the admin with the CSRF token; /admin goes to the sync monitor; the sign-in page skips itself", async () => {
    const account = await createAdmin("viewer@example.com", "VIEWER");
    const { cookie, csrfToken } = await signIn("viewer@example.com");
    const response = await responseOf(() => layoutLoader(routeArgs(adminGet("/admin/sync-monitor", cookie))));
    expect(await response.json()).toEqual({
      admin: { id: account.id, email: "viewer@example.com", role: "VIEWER", csrfToken },
    });
    const index = await responseOf(() => indexLoader());
    expect(index.headers.get("Location")).toBe("/admin/sync-monitor");
    const login = await responseOf(() =>
      loginLoader(routeArgs(adminGet("/admin/login?redirectTo=/admin/jobs", cookie))),
    );
    expect(login.headers.get("Location")).toBe("/admin/jobs");
  });

  it("lets operators act, gives viewers 403, and refuses a missing or wrong CSRF token", async () => {
    await createAdmin("ops@example.com", "OPERATOR");
    await createAdmin("viewer@example.com", "VIEWER");
    const operator = await signIn("ops@example.com");
    const viewer = await signIn("viewer@example.com");
    const post = (cookie: string | undefined, token?: string) =>
      adminPost("/admin/alerts", cookie, { intent: "x" }, token);

    expect((await requireOperator(post(operator.cookie, operator.csrfToken))).admin.email).toBe("ops@example.com");
    expect((await responseOf(() => requireOperator(post(viewer.cookie, viewer.csrfToken)))).status).toBe(403);
    expect((await responseOf(() => requireOperator(post(operator.cookie)))).status).toBe(403);
    expect((await responseOf(() => requireOperator(post(operator.cookie, viewer.csrfToken)))).status).toBe(403);
    expect((await responseOf(() => requireOperator(post(undefined, "x")))).status).toBe(302);
  });

  it("reads the role on every request, so a demotion takes effect at once", async () => {
    await createAdmin("ops@example.com", "OPERATOR");
    const { cookie, csrfToken } = await signIn("ops@example.com");
    await prisma.adminUser.update({ where: { email: "ops@example.com" }, data: { role: "VIEWER" } });
    expect((await responseOf(() => requireOperator(adminPost("/admin/jobs", cookie, {}, csrfToken)))).status).toBe(403);
  });
});

describe("password reset and role change", () => {
  it("a role change (admin:create with another role) ends the account's sessions", async () => {
    await createAdmin("ops@example.com", "OPERATOR");
    await createAdmin("other@example.com", "OPERATOR");
    const before = await signIn("ops@example.com");
    const other = await signIn("other@example.com");
    await createAdmin("ops@example.com", "VIEWER");
    expect((await responseOf(() => requireAdmin(adminGet("/admin/sync-monitor", before.cookie)))).status).toBe(302);
    expect((await requireAdmin(adminGet("/admin/sync-monitor", other.cookie))).email).toBe("other@example.com");
  });

  it("ends the sessions opened with the old password", async () => {
    await createAdmin("ops@example.com");
    const before = await signIn("ops@example.com");
    expect((await requireAdmin(adminGet("/admin/sync-monitor", before.cookie))).email).toBe("ops@example.com");
    await createAdmin("ops@example.com", "OPERATOR", "a brand new password");
    expect((await responseOf(() => requireAdmin(adminGet("/admin/sync-monitor", before.cookie)))).status).toBe(302);
    const after = await signIn("ops@example.com", "a brand new password");
    expect((await requireAdmin(adminGet("/admin/sync-monitor", after.cookie))).email).toBe("ops@example.com");
  });
});

describe("ADMIN_SESSION_SECRET", () => {
  const base = { SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "https://app.example.com" };
  it("is required in production and optional elsewhere", () => {
    expect(() => parseEnv({ ...base, NODE_ENV: "production", METRICS_TOKEN: "m".repeat(16) })).toThrow(
      /ADMIN_SESSION_SECRET/,
    );
    expect(() =>
      parseEnv({ ...base, NODE_ENV: "production", METRICS_TOKEN: "m".repeat(16), ADMIN_SESSION_SECRET: "short" }),
    ).toThrow(/ADMIN_SESSION_SECRET/);
    expect(
      parseEnv({ ...base, NODE_ENV: "production", METRICS_TOKEN: "m".repeat(16), ADMIN_SESSION_SECRET: "x".repeat(32) })
        .ADMIN_SESSION_SECRET,
    ).toHaveLength(32);
    expect(parseEnv({ ...base, NODE_ENV: "development" }).ADMIN_SESSION_SECRET).toBeUndefined();
  });
});

describe("sign-in throttling", () => {
  const attempt = (
    email: string,
    password: string,
    now: Date,
    clientAddress = "203.0.113.7",
    headers: Record<string, string> = {},
  ) => attemptSignIn({ email, password, clientAddress, request: loginRequest({ email, password }, headers) }, now);
  const seconds = (start: Date, s: number) => new Date(start.getTime() + s * 1000);

  it("forgets keys quiet for a day as attempts come in, keeping the others (the table does not grow with a spray)", async () => {
    const now = new Date(Date.now() + 60_000);
    const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
    await pgPool().query(
      `INSERT INTO admin_sign_in_throttle (key, attempts, last_attempt_at, next_attempt_at)
       SELECT 'client:198.51.100.' || i, 3, $1::timestamptz, $1::timestamptz FROM generate_series(1, 30) AS i
       UNION ALL SELECT 'account:recent@example.com', 2, $2::timestamptz, $2::timestamptz`,
      [daysAgo(2), daysAgo(0.5)],
    );
    await attempt("nobody@example.com", "wrong password!", now);
    const { rows } = await pgPool().query<{ key: string }>("SELECT key FROM admin_sign_in_throttle ORDER BY key");
    const keys = rows.map((r) => r.key);
    expect(keys.filter((k) => k.startsWith("client:198.51.100."))).toEqual([]);
    expect(keys).toEqual(
      expect.arrayContaining(["account:nobody@example.com", "account:recent@example.com", "client:203.0.113.7"]),
    );
    expect(SIGN_IN_THROTTLE.forgetAfterSeconds).toBe(86_400);
  });

  it(
    "delays an account after 5 wrong passwords with growing delays, never locks it: the right one works once the delay passes",
    { timeout: 120_000 },
    async () => {
      await createAdmin("ops@example.com");
      const start = new Date(Date.now() + 60_000);
      for (let i = 0; i < SIGN_IN_THROTTLE.account.freeAttempts; i++) {
        expect(await attempt("ops@example.com", "wrong password!", start)).toEqual({ ok: false, reason: "refused" });
      }
      // Inside the delay even the right password waits (and is not checked); the answer says for how long.
      expect(await attempt("ops@example.com", TEST_PASSWORD, start)).toEqual({
        ok: false,
        reason: "throttled",
        retryAfterSeconds: 1,
      });
      // One more wrong guess after the first delay doubles it.
      expect(await attempt("ops@example.com", "wrong password!", seconds(start, 1))).toEqual({
        ok: false,
        reason: "refused",
      });
      expect(await attempt("ops@example.com", TEST_PASSWORD, seconds(start, 1.5))).toMatchObject({
        retryAfterSeconds: 2,
      });
      expect(await attempt("ops@example.com", TEST_PASSWORD, seconds(start, 2))).toEqual({
        ok: false,
        reason: "throttled",
        retryAfterSeconds: 1,
      });
      const signedIn = await attempt("ops@example.com", TEST_PASSWORD, seconds(start, 3));
      expect(signedIn.ok).toBe(true);
      // A success starts the account over: five more free attempts.
      for (let i = 0; i < SIGN_IN_THROTTLE.account.freeAttempts; i++) {
        expect(await attempt("ops@example.com", "wrong password!", seconds(start, 4))).toEqual({
          ok: false,
          reason: "refused",
        });
      }
    },
  );

  it("an unknown email is throttled exactly like a real one (no enumeration)", { timeout: 120_000 }, async () => {
    await createAdmin("ops@example.com");
    const start = new Date(Date.now() + 60_000);
    const outcomes = async (email: string, clientAddress: string) => {
      const seen = [];
      for (let i = 0; i < 7; i++) seen.push(await attempt(email, "wrong password!", start, clientAddress));
      return seen;
    };
    const known = await outcomes("ops@example.com", "198.51.100.1");
    expect(known.at(-1)).toMatchObject({ reason: "throttled" });
    expect(await outcomes("no-such-admin@example.com", "198.51.100.2")).toEqual(known);
  });

  // Each attempt runs a real scrypt hash; on a loaded 2-core machine twenty of them take a while.
  it("throttles one client address trying many emails", { timeout: 120_000 }, async () => {
    const start = new Date(Date.now() + 60_000);
    const from = "192.0.2.50";
    for (let i = 0; i < SIGN_IN_THROTTLE.client.freeAttempts; i++) {
      expect(await attempt(`guess-${i}@example.com`, "wrong password!", start, from)).toEqual({
        ok: false,
        reason: "refused",
      });
    }
    expect(await attempt("another@example.com", "wrong password!", start, from)).toMatchObject({ reason: "throttled" });
    // Another client is not affected.
    expect(await attempt("another@example.com", "wrong password!", start, "192.0.2.51")).toEqual({
      ok: false,
      reason: "refused",
    });
  });

  it(
    "a browser that signed in before keeps signing in while a stranger hammers the account (no lock-out an attacker can trigger)",
    { timeout: 120_000 },
    async () => {
      await createAdmin("ops@example.com");
      const start = new Date(Date.now() + 60_000);
      const first = await attempt("ops@example.com", TEST_PASSWORD, start, "10.0.0.1");
      if (!first.ok) throw new Error("first sign-in refused");
      const deviceCookie = first.deviceCookie.split(";")[0];
      for (let i = 0; i < 30; i++) await attempt("ops@example.com", "attacker guess!", start, "203.0.113.66");
      expect(await attempt("ops@example.com", TEST_PASSWORD, start, "203.0.113.66")).toMatchObject({
        reason: "throttled",
      });
      // The operator, from a fresh address, with their device cookie: in at once.
      expect((await attempt("ops@example.com", TEST_PASSWORD, start, "10.0.0.2", { Cookie: deviceCookie })).ok).toBe(
        true,
      );
    },
  );

  it("answers 429 with Retry-After on the sign-in page, and the same 401 for every failure", async () => {
    await createAdmin("ops@example.com");
    const context = { clientAddress: "192.0.2.99" };
    const post = (email: string, password: string) =>
      responseOf(() => loginAction({ request: loginRequest({ email, password }), params: {}, context }));
    // The route runs on the real clock: the delays double (1 s, 2 s, 4 s ...), so a few more attempts always meet
    // one, however slow the machine.
    let throttled: Response | undefined;
    for (let i = 0; i < 15 && !throttled; i++) {
      const response = await post("ops@example.com", "wrong password!");
      if (response.status === 429) throttled = response;
      else {
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({ error: SIGN_IN_REFUSED });
      }
    }
    expect(throttled?.status).toBe(429);
    expect(Number(throttled!.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(throttled!.headers.get("Set-Cookie")).toBeNull();
  }, 120_000);
});

describe("the admin's sessions", () => {
  it("lists the admin's own active sessions and ends one, which signs that browser out", async () => {
    await createAdmin("ops@example.com");
    await createAdmin("viewer@example.com", "VIEWER");
    const laptop = await signIn("ops@example.com");
    const phone = await signIn("ops@example.com");
    const others = await signIn("viewer@example.com");
    const list = (await (
      await responseOf(() => sessionsLoader(routeArgs(adminGet("/admin/sessions", laptop.cookie))))
    ).json()) as {
      currentSessionId: string;
      sessions: { id: string }[];
    };
    expect(list.sessions).toHaveLength(2);
    const phoneSession = list.sessions.find((s) => s.id !== list.currentSessionId)!;

    // Someone else's session is not theirs to end.
    const viewerSessions = (await (
      await responseOf(() => sessionsLoader(routeArgs(adminGet("/admin/sessions", others.cookie))))
    ).json()) as {
      currentSessionId: string;
    };
    const foreign = await responseOf(() =>
      sessionsAction(
        routeArgs(
          adminPost(
            "/admin/sessions",
            laptop.cookie,
            { intent: "end", sessionId: viewerSessions.currentSessionId },
            laptop.csrfToken,
          ),
        ),
      ),
    );
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({
      ok: false,
      error: `You have no session #${viewerSessions.currentSessionId}.`,
    });
    expect((await requireAdmin(adminGet("/admin/sync-monitor", others.cookie))).email).toBe("viewer@example.com");

    const ended = await responseOf(() =>
      sessionsAction(
        routeArgs(
          adminPost("/admin/sessions", laptop.cookie, { intent: "end", sessionId: phoneSession.id }, laptop.csrfToken),
        ),
      ),
    );
    expect(await ended.json()).toMatchObject({ ok: true });
    expect((await responseOf(() => requireAdmin(adminGet("/admin/sync-monitor", phone.cookie)))).status).toBe(302);
    expect((await requireAdmin(adminGet("/admin/sync-monitor", laptop.cookie))).email).toBe("ops@example.com");
    const noToken = await responseOf(() =>
      sessionsAction(routeArgs(adminPost("/admin/sessions", laptop.cookie, { intent: "end", sessionId: "1" }))),
    );
    expect(noToken.status).toBe(403);
  });

  it("refuses a session past its 8 hours even if the browser kept the cookie", async () => {
    await createAdmin("ops@example.com");
    const { cookie } = await signIn("ops@example.com");
    await prisma.adminSession.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await responseOf(() => requireAdmin(adminGet("/admin/sync-monitor", cookie)))).status).toBe(302);
  });
});
