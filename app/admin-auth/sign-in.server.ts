import { prisma } from "~/db.server";
import { commitAdminSession, destroyAdminSession, readAdminSession } from "./admin-session.server";
import { credentialStamp } from "./credential-stamp.server";
import { newCsrfToken } from "./csrf.server";
import { decoyPasswordHash, verifyPassword } from "./password-hash.server";

// Signing in with the lock-out: after MAX_FAILED_LOGINS wrong passwords in a row an account refuses every attempt
// (even the right password) for LOCK_MINUTES. Unknown email, wrong password and a locked account all get the same
// answer, so the page never tells an attacker which emails have accounts.

export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;
export const SIGN_IN_REFUSED = `Incorrect email or password. After ${MAX_FAILED_LOGINS} failed attempts an account is locked for ${LOCK_MINUTES} minutes.`;

export type SignInOutcome =
  | { ok: true; adminUserId: number; credentialStamp: string }
  | { ok: false; reason: "unknown-email" | "wrong-password" | "locked" };

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function checkCredentials(email: string, password: string, now = new Date()): Promise<SignInOutcome> {
  const user = await prisma.adminUser.findUnique({
    where: { email: normalizeEmail(email) },
    select: { id: true, passwordHash: true, lockedUntil: true },
  });
  if (!user) {
    await verifyPassword(password, await decoyPasswordHash()); // same cost as a real check
    return { ok: false, reason: "unknown-email" };
  }
  if (user.lockedUntil && user.lockedUntil > now) return { ok: false, reason: "locked" };

  if (!(await verifyPassword(password, user.passwordHash))) {
    // One statement, so concurrent attempts cannot each read 4 failures and all slip under the limit.
    await prisma.$executeRaw`
      UPDATE admin_user
         SET failed_logins = CASE WHEN failed_logins + 1 >= ${MAX_FAILED_LOGINS} THEN 0 ELSE failed_logins + 1 END,
             locked_until = CASE WHEN failed_logins + 1 >= ${MAX_FAILED_LOGINS}
                                 THEN ${now}::timestamptz + make_interval(mins => ${LOCK_MINUTES}) ELSE locked_until END
       WHERE id = ${user.id}`;
    return { ok: false, reason: "wrong-password" };
  }
  await prisma.adminUser.update({
    where: { id: user.id },
    data: { failedLogins: 0, lockedUntil: null, lastLoginAt: now },
  });
  return { ok: true, adminUserId: user.id, credentialStamp: credentialStamp(user.passwordHash) };
}

/** The Set-Cookie header of a fresh session for this admin (a new CSRF token each sign-in; no session fixation). */
export async function startAdminSession(
  request: Request,
  signedIn: { adminUserId: number; credentialStamp: string },
  now = Date.now(),
): Promise<string> {
  const session = await readAdminSession(request);
  for (const key of ["adminUserId", "csrfToken", "credentialStamp", "issuedAt"] as const) session.unset(key);
  session.set("adminUserId", signedIn.adminUserId);
  session.set("credentialStamp", signedIn.credentialStamp);
  session.set("csrfToken", newCsrfToken());
  session.set("issuedAt", now);
  return commitAdminSession(session);
}

/** The Set-Cookie header that ends the admin session. */
export async function endAdminSession(request: Request): Promise<string> {
  return destroyAdminSession(await readAdminSession(request));
}
