import { describe, expect, it } from "vitest";
import { requireAdmin, requireOperator } from "../../app/admin-auth/guards.server";
import { hashPassword, verifyPassword } from "../../app/admin-auth/password-hash.server";
import { safeAdminRedirect } from "../../app/admin-auth/safe-redirect";
import { LOCK_MINUTES, SIGN_IN_REFUSED, checkCredentials } from "../../app/admin-auth/sign-in.server";
import { parseEnv } from "../../app/env.server";
import { prisma } from "../../app/db.server";
import { action as loginAction, loader as loginLoader } from "../../app/routes/admin.login";
import { action as logoutAction } from "../../app/routes/admin.logout";
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
      loginAction(routeArgs(loginRequest({ email: "ops@example.com", password: TEST_PASSWORD }, { "Sec-Fetch-Site": "cross-site" }))),
    );
    expect(response.status).toBe(403);
  });

  it("locks an account after 5 failures for 15 minutes, even against the right password, then lets it in", async () => {
    await createAdmin("ops@example.com");
    const start = new Date("2026-03-01T10:00:00Z");
    for (let i = 0; i < 5; i++) {
      expect(await checkCredentials("ops@example.com", "wrong password!", start)).toEqual({ ok: false, reason: "wrong-password" });
    }
    const locked = await prisma.adminUser.findUniqueOrThrow({ where: { email: "ops@example.com" } });
    expect(locked.lockedUntil?.toISOString()).toBe(new Date(start.getTime() + LOCK_MINUTES * 60_000).toISOString());
    expect(await checkCredentials("ops@example.com", TEST_PASSWORD, new Date(start.getTime() + 14 * 60_000))).toEqual({
      ok: false,
      reason: "locked",
    });
    const later = new Date(start.getTime() + 16 * 60_000);
    expect((await checkCredentials("ops@example.com", TEST_PASSWORD, later)).ok).toBe(true);
    const unlocked = await prisma.adminUser.findUniqueOrThrow({ where: { email: "ops@example.com" } });
    expect(unlocked.failedLogins).toBe(0);
    expect(unlocked.lockedUntil).toBeNull();
  });

  it("the locked page answers like a wrong password (no account enumeration)", async () => {
    await createAdmin("ops@example.com");
    await prisma.adminUser.update({ where: { email: "ops@example.com" }, data: { lockedUntil: new Date(Date.now() + 60_000) } });
    const response = await responseOf(() => loginAction(routeArgs(loginRequest({ email: "ops@example.com", password: TEST_PASSWORD }))));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: SIGN_IN_REFUSED });
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
    // A cookie session cannot be revoked server-side; what the browser sends after sign-out is the cleared one.
    const after = await responseOf(() => layoutLoader(routeArgs(adminGet("/admin/sync-monitor", "__ms_admin="))));
    expect(after.status).toBe(302);
  });
});

describe("guards", () => {
  it("redirects a request without the admin cookie to the sign-in page, keeping where it was going", async () => {
    const response = await responseOf(() => layoutLoader(routeArgs(adminGet("/admin/sync-monitor?shop=a.myshopify.com"))));
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
    for (const header of ["shopify_app_session=offline_shop.myshopify.com", tampered, `${name}=eyJhZG1pblVzZXJJZCI6MX0%3D`]) {
      const response = await responseOf(() => requireAdmin(adminGet("/admin/sync-monitor", header)));
      expect(response.status).toBe(302);
    }
  });

  it("gives the layout the admin with the CSRF token; /admin goes to the sync monitor; the sign-in page skips itself", async () => {
    const account = await createAdmin("viewer@example.com", "VIEWER");
    const { cookie, csrfToken } = await signIn("viewer@example.com");
    const response = await responseOf(() => layoutLoader(routeArgs(adminGet("/admin/sync-monitor", cookie))));
    expect(await response.json()).toEqual({ admin: { id: account.id, email: "viewer@example.com", role: "VIEWER", csrfToken } });
    const index = await responseOf(() => indexLoader());
    expect(index.headers.get("Location")).toBe("/admin/sync-monitor");
    const login = await responseOf(() => loginLoader(routeArgs(adminGet("/admin/login?redirectTo=/admin/jobs", cookie))));
    expect(login.headers.get("Location")).toBe("/admin/jobs");
  });

  it("lets operators act, gives viewers 403, and refuses a missing or wrong CSRF token", async () => {
    await createAdmin("ops@example.com", "OPERATOR");
    await createAdmin("viewer@example.com", "VIEWER");
    const operator = await signIn("ops@example.com");
    const viewer = await signIn("viewer@example.com");
    const form = (token?: string) => {
      const data = new FormData();
      if (token !== undefined) data.set("_csrf", token);
      return data;
    };
    const post = (cookie: string) => adminPost("/admin/alerts", cookie, {});

    expect((await requireOperator(post(operator.cookie), form(operator.csrfToken))).email).toBe("ops@example.com");
    expect((await responseOf(() => requireOperator(post(viewer.cookie), form(viewer.csrfToken)))).status).toBe(403);
    expect((await responseOf(() => requireOperator(post(operator.cookie), form()))).status).toBe(403);
    expect((await responseOf(() => requireOperator(post(operator.cookie), form(viewer.csrfToken)))).status).toBe(403);
    expect((await responseOf(() => requireOperator(adminPost("/admin/alerts", undefined, {}), form("x")))).status).toBe(302);
  });

  it("reads the role on every request, so a demotion takes effect at once", async () => {
    await createAdmin("ops@example.com", "OPERATOR");
    const { cookie, csrfToken } = await signIn("ops@example.com");
    await prisma.adminUser.update({ where: { email: "ops@example.com" }, data: { role: "VIEWER" } });
    const data = new FormData();
    data.set("_csrf", csrfToken);
    expect((await responseOf(() => requireOperator(adminPost("/admin/jobs", cookie, {}), data))).status).toBe(403);
  });
});

describe("password reset", () => {
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
    expect(() => parseEnv({ ...base, NODE_ENV: "production" })).toThrow(/ADMIN_SESSION_SECRET/);
    expect(() => parseEnv({ ...base, NODE_ENV: "production", ADMIN_SESSION_SECRET: "short" })).toThrow(/ADMIN_SESSION_SECRET/);
    expect(parseEnv({ ...base, NODE_ENV: "production", ADMIN_SESSION_SECRET: "x".repeat(32) }).ADMIN_SESSION_SECRET).toHaveLength(32);
    expect(parseEnv({ ...base, NODE_ENV: "development" }).ADMIN_SESSION_SECRET).toBeUndefined();
  });
});
