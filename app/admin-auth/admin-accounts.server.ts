import { prisma } from "~/db.server";
import type { AdminRole } from "./admin-role";
import { MIN_PASSWORD_LENGTH } from "./generate-password.server";
import { hashPassword } from "./password-hash.server";
import { normalizeEmail } from "./normalize-email";
import { accountThrottleKey } from "./sign-in-throttle.server";

// Creating admin accounts (the command line and the demo; there is no sign-up page).

export class AdminAccountError extends Error {
  override name = "AdminAccountError";
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Creates the account, or resets an existing one's password and role: running the command again is how an
 * operator's forgotten password is replaced. A reset ends every session of the account (a new password or a
 * changed role must not leave a stolen cookie working) and clears the account's sign-in delay.
 */
export async function createOrResetAdminAccount(input: { email: string; role: AdminRole; password: string }) {
  const email = normalizeEmail(input.email);
  if (!EMAIL.test(email)) throw new AdminAccountError(`Not an email address: ${input.email}`);
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AdminAccountError(`A password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  const passwordHash = await hashPassword(input.password);
  return prisma.$transaction(async (tx) => {
    const existing = await tx.adminUser.findUnique({ where: { email }, select: { id: true } });
    const user = await tx.adminUser.upsert({
      where: { email },
      create: { email, passwordHash, role: input.role },
      update: { passwordHash, role: input.role },
      select: { id: true, email: true, role: true },
    });
    if (existing) await tx.adminSession.deleteMany({ where: { adminUserId: user.id } });
    await tx.adminSignInThrottle.deleteMany({ where: { key: accountThrottleKey(email) } });
    return { ...user, created: !existing };
  });
}
