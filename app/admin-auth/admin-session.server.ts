import { createHash, randomBytes } from "node:crypto";
import { createCookieSessionStorage, type Session, type SessionStorage } from "@remix-run/node";
import { prisma } from "~/db.server";
import { DomainError } from "~/lib/domain-error";
import { isProduction } from "~/env.server";
import type { AdminRole } from "./admin-role";
import { newCsrfToken } from "./csrf.server";
import { adminSessionSecret } from "./session-secret.server";

// The platform admin's session lives on the server: the cookie (signed, scoped to /admin, so the admin pages never
// read a merchant's Shopify session and the merchant pages never receive it) carries a random token and the
// session's CSRF token; the admin_session row holds the token's SHA-256, whose admin it is and until when. Signing
// out deletes the row, and so do a password reset and a role change (admin-accounts.server.ts), so a saved cookie
// replayed later opens nothing. The role and account are read from the database on every request.

export const ADMIN_SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;
/** last_seen_at is written at most this often (not on every request). */
const LAST_SEEN_RESOLUTION_MS = 5 * 60_000;
const USER_AGENT_MAX_LENGTH = 200;

export interface AdminSessionData {
  /** Random, 256 bits; only its SHA-256 is stored. */
  token: string;
  csrfToken: string;
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
          secure: isProduction(),
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

function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

export interface SessionAdmin {
  id: number;
  email: string;
  role: AdminRole;
  csrfToken: string;
  /** The admin_session row's id (the sessions list marks "this session" with it). */
  sessionId: string;
}

/** The admin of the request's session, or null when there is no cookie, no such session or it has expired. */
export async function adminOfSession(request: Request, now = new Date()): Promise<SessionAdmin | null> {
  const session = await readAdminSession(request);
  const token = session.get("token");
  const csrfToken = session.get("csrfToken");
  if (typeof token !== "string" || typeof csrfToken !== "string") return null;
  const row = await prisma.adminSession.findUnique({
    where: { tokenHash: tokenHash(token) },
    select: {
      id: true,
      expiresAt: true,
      lastSeenAt: true,
      adminUser: { select: { id: true, email: true, role: true } },
    },
  });
  if (!row || row.expiresAt <= now) return null;
  if (now.getTime() - row.lastSeenAt.getTime() > LAST_SEEN_RESOLUTION_MS) {
    await prisma.adminSession.updateMany({ where: { id: row.id }, data: { lastSeenAt: now } });
  }
  return { ...row.adminUser, csrfToken, sessionId: row.id.toString() };
}

/** Opens a session for this admin and returns its Set-Cookie header (a new token and CSRF token: no fixation). */
export async function openAdminSession(request: Request, adminUserId: number, now = new Date()): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  // Expired sessions of this admin are cleared here, so the table does not grow with every sign-in.
  await prisma.adminSession.deleteMany({ where: { adminUserId, expiresAt: { lte: now } } });
  await prisma.adminSession.create({
    data: {
      tokenHash: tokenHash(token),
      adminUserId,
      userAgent: request.headers.get("User-Agent")?.slice(0, USER_AGENT_MAX_LENGTH) ?? null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + ADMIN_SESSION_MAX_AGE_SECONDS * 1000),
    },
  });
  const session = await sessionStorage().getSession();
  session.set("token", token);
  session.set("csrfToken", newCsrfToken());
  return sessionStorage().commitSession(session);
}

/** Ends the request's session on the server and returns the Set-Cookie header that clears the cookie. */
export async function closeAdminSession(request: Request): Promise<string> {
  const session = await readAdminSession(request);
  const token = session.get("token");
  if (typeof token === "string") await prisma.adminSession.deleteMany({ where: { tokenHash: tokenHash(token) } });
  return sessionStorage().destroySession(session);
}

/** The admin's sessions that have not expired, newest first (for the sessions list). */
export function listAdminSessions(adminUserId: number, now = new Date()) {
  return prisma.adminSession.findMany({
    where: { adminUserId, expiresAt: { gt: now } },
    orderBy: { createdAt: "desc" },
    select: { id: true, userAgent: true, createdAt: true, lastSeenAt: true, expiresAt: true },
  });
}

/** Ends one of the admin's own sessions; refuses (ADMIN_SESSION_NOT_FOUND) one that is not theirs or does not exist. */
export async function endAdminSessionById(adminUserId: number, sessionId: bigint): Promise<void> {
  const { count } = await prisma.adminSession.deleteMany({ where: { id: sessionId, adminUserId } });
  if (count === 0) throw new DomainError("ADMIN_SESSION_NOT_FOUND", `You have no session #${sessionId}.`);
}
