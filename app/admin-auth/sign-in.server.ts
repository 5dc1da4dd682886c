import { prisma } from "~/db.server";
import { knownDeviceId, rememberDevice } from "./device-cookie.server";
import { normalizeEmail } from "./normalize-email";
import { decoyPasswordHash, verifyPassword } from "./password-hash.server";
import {
  SIGN_IN_THROTTLE,
  accountThrottleKey,
  claimSignInAttempt,
  clientThrottleKey,
  deviceThrottleKey,
  forgiveSignInAttempt,
  type ThrottleKey,
} from "./sign-in-throttle.server";

// Signing in. Every attempt the throttle lets through costs one password hash (the account's, or a decoy's for an
// unknown email) and every failure gets the same answer, so neither the page nor its timing tells an attacker which
// emails have accounts. There is no lock-out: the throttle only delays (sign-in-throttle.server.ts).

export { normalizeEmail };

export const SIGN_IN_REFUSED = "Incorrect email or password.";

export function signInThrottled(retryAfterSeconds: number): string {
  return `Too many sign-in attempts. Try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? "" : "s"}.`;
}

export type SignInOutcome =
  | { ok: true; adminUserId: number; deviceCookie: string }
  | { ok: false; reason: "refused" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

export interface SignInAttempt {
  email: string;
  password: string;
  /** The client's address (scripts/serve.ts puts it in the load context); "unknown" when there is none. */
  clientAddress: string;
  /** The request, for the device cookie. */
  request: Request;
}

export async function attemptSignIn(attempt: SignInAttempt, now = new Date()): Promise<SignInOutcome> {
  const email = normalizeEmail(attempt.email);
  const deviceId = await knownDeviceId(attempt.request, email);
  const keys: ThrottleKey[] = deviceId
    ? [{ key: deviceThrottleKey(deviceId), policy: SIGN_IN_THROTTLE.device }]
    : [
        { key: clientThrottleKey(attempt.clientAddress), policy: SIGN_IN_THROTTLE.client },
        { key: accountThrottleKey(email), policy: SIGN_IN_THROTTLE.account },
      ];
  const claim = await claimSignInAttempt(keys, now);
  if (!claim.ok) return { ok: false, reason: "throttled", retryAfterSeconds: claim.retryAfterSeconds };

  const decoy = await decoyPasswordHash(); // computed once, before the lookup, so no first attempt costs two hashes
  const user = await prisma.adminUser.findUnique({ where: { email }, select: { id: true, passwordHash: true } });
  const matches = await verifyPassword(attempt.password, user?.passwordHash ?? decoy);
  if (!user || !matches) return { ok: false, reason: "refused" };

  await forgiveSignInAttempt(keys);
  await prisma.adminUser.update({ where: { id: user.id }, data: { lastLoginAt: now } });
  return { ok: true, adminUserId: user.id, deviceCookie: await rememberDevice(email, deviceId) };
}
