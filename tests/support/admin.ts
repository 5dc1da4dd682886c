import { createOrResetAdminAccount } from "../../app/admin-auth/admin-accounts.server";
import type { AdminRole } from "../../app/admin-auth/admin-role";
import { CSRF_FIELD } from "../../app/admin-auth/csrf-field";
import { readAdminSession } from "../../app/admin-auth/admin-session.server";
import { action as loginAction } from "../../app/routes/admin.login";

// Platform admin helpers for loader and action tests: accounts, a signed-in cookie, and requests that carry it.

export const BASE = "http://127.0.0.1:3999";
export const TEST_PASSWORD = "correct horse battery staple";

export async function createAdmin(email: string, role: AdminRole = "OPERATOR", password = TEST_PASSWORD) {
  return createOrResetAdminAccount({ email, role, password });
}

export function routeArgs(request: Request, params: Record<string, string> = {}) {
  return { request, params, context: {} };
}

export function loginRequest(fields: Record<string, string>, headers: Record<string, string> = {}): Request {
  return new Request(`${BASE}/admin/login`, { method: "POST", body: new URLSearchParams(fields), headers });
}

/** Signs in through the real action; returns the session cookie (name=value) and its CSRF token. */
export async function signIn(email: string, password = TEST_PASSWORD): Promise<{ cookie: string; csrfToken: string }> {
  const response = (await loginAction(routeArgs(loginRequest({ email, password })))) as Response;
  const setCookie = response.headers.get("Set-Cookie");
  if (response.status !== 302 || !setCookie) throw new Error(`sign-in failed with ${response.status}`);
  const cookie = setCookie.split(";")[0];
  const session = await readAdminSession(new Request(BASE, { headers: { Cookie: cookie } }));
  return { cookie, csrfToken: session.get("csrfToken")! };
}

export function adminGet(path: string, cookie?: string): Request {
  return new Request(`${BASE}${path}`, { headers: cookie ? { Cookie: cookie } : {} });
}

export function adminPost(
  path: string,
  cookie: string | undefined,
  fields: Record<string, string>,
  csrfToken?: string,
): Request {
  const body = new URLSearchParams(fields);
  if (csrfToken !== undefined) body.set(CSRF_FIELD, csrfToken);
  return new Request(`${BASE}${path}`, { method: "POST", body, headers: cookie ? { Cookie: cookie } : {} });
}

/** Runs a loader or action that may throw a Response (the guards do) and returns the Response either way. */
export async function responseOf(work: () => Promise<unknown> | unknown): Promise<Response> {
  try {
    const result = await work();
    if (result instanceof Response) return result;
    return Response.json(result);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
