import { createCookieSessionStorage, type Session, type SessionStorage } from "@remix-run/node";
import { env } from "~/env.server";
import { adminSessionSecret } from "./session-secret.server";

// The platform admin's session: a signed cookie of its own, scoped to /admin, so the admin pages never read a
// merchant's Shopify session and the merchant pages never receive this cookie. It holds only the admin's id, the
// per-session CSRF token, a stamp of the password it was opened with and when it was issued; the role and account state are read from the database on every
// request, so a role change or a deleted account takes effect at once.

export const ADMIN_SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

export interface AdminSessionData {
  adminUserId: number;
  csrfToken: string;
  /** credentialStamp() of the password hash at sign-in: a password reset ends the sessions opened before it. */
  credentialStamp: string;
  /** Epoch milliseconds; a session older than the max age is refused even if the browser kept the cookie. */
  issuedAt: number;
}

type AdminSessionStorage = SessionStorage<AdminSessionData>;
let storage: { secret: string; storage: AdminSessionStorage } | undefined;

function sessionStorage(): AdminSessionStorage {
  const secret = adminSessionSecret();
  if (storage?.secret !== secret) {
    storage = {
      secret,
      storage: createCookieSessionStorage<AdminSessionData>({
        cookie: {
          name: "__ms_admin",
          path: "/admin",
          httpOnly: true,
          sameSite: "lax",
          secure: env().NODE_ENV === "production",
          maxAge: ADMIN_SESSION_MAX_AGE_SECONDS,
          secrets: [secret],
        },
      }),
    };
  }
  return storage.storage;
}

export type AdminSession = Session<AdminSessionData>;

export function readAdminSession(request: Request): Promise<AdminSession> {
  return sessionStorage().getSession(request.headers.get("Cookie"));
}

export function commitAdminSession(session: AdminSession): Promise<string> {
  return sessionStorage().commitSession(session);
}

export function destroyAdminSession(session: AdminSession): Promise<string> {
  return sessionStorage().destroySession(session);
}

/** The signed-in admin's id, or null when the session is empty, expired or incomplete. */
export function sessionAdminId(session: AdminSession, now = Date.now()): number | null {
  const id = session.get("adminUserId");
  const issuedAt = session.get("issuedAt");
  if (typeof id !== "number" || typeof issuedAt !== "number" || !session.get("csrfToken") || !session.get("credentialStamp")) return null;
  if (now - issuedAt > ADMIN_SESSION_MAX_AGE_SECONDS * 1000 || issuedAt > now + 60_000) return null;
  return id;
}
