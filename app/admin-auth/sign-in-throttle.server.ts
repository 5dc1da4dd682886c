import { pgPool } from "~/db.server";

// Sign-in throttling (docs/decisions/006). Every attempt is counted, before the password is checked, against each of
// its keys: the client address and the account (the email, whether or not it has an account, so the answers do not
// tell them apart), or, for a browser that signed in to this account before, that browser's device id instead.
// Past a few free attempts each key must wait a growing delay before its next attempt; an attempt inside the delay
// is refused (429 with Retry-After) without being counted or checked. The count starts over after a quiet day.
//
// No hard lock: the delay is bounded, and an attacker guessing at an operator's account delays only that account's
// *unknown* browsers. A browser that signed in before carries a device cookie (device-cookie.server.ts) and is
// throttled on its own key, so an operator keeps signing in while someone else hammers the account
// (OWASP's "device cookies").
//
// The counts live in PostgreSQL, so every process of a deployment sees the same ones, and each key is claimed with
// one conditional upsert: concurrent attempts cannot all slip through the same free slot.

export interface ThrottlePolicy {
  /** Attempts without any delay. */
  freeAttempts: number;
}

export const SIGN_IN_THROTTLE = {
  client: { freeAttempts: 20 },
  account: { freeAttempts: 5 },
  device: { freeAttempts: 5 },
  /** The first delay; it doubles with each further attempt... */
  baseDelaySeconds: 1,
  /** ...up to this. */
  maxDelaySeconds: 15 * 60,
  /** A key with no attempt for this long starts over. */
  forgetAfterSeconds: 24 * 60 * 60,
} as const;

export const clientThrottleKey = (address: string) => `client:${address}`;
export const accountThrottleKey = (email: string) => `account:${email}`;
export const deviceThrottleKey = (deviceId: string) => `device:${deviceId}`;

export interface ThrottleKey {
  key: string;
  policy: ThrottlePolicy;
}

/** The delay after the `attempts`-th attempt (0 while free), as SQL, so the count and the delay are one statement. */
const delaySql = (attempts: string) =>
  `make_interval(secs => CASE WHEN ${attempts} < $3 THEN 0 ELSE LEAST($5::float8, $4::float8 * power(2, ${attempts} - $3)) END)`;
// In DO UPDATE, t is the row as locked by this statement: a concurrent attempt's count is always seen.
const NEXT_COUNT =
  "CASE WHEN t.last_attempt_at <= $2::timestamptz - make_interval(secs => $6) THEN 1 ELSE t.attempts + 1 END";
const CLAIM_SQL = `
  INSERT INTO admin_sign_in_throttle AS t (key, attempts, last_attempt_at, next_attempt_at)
  VALUES ($1, 1, $2, $2::timestamptz + ${delaySql("1")})
  ON CONFLICT (key) DO UPDATE
     SET attempts = ${NEXT_COUNT}, last_attempt_at = $2, next_attempt_at = $2::timestamptz + ${delaySql(`(${NEXT_COUNT})`)}
   WHERE t.next_attempt_at <= $2`;

// A key quiet for a day counts nothing any more (it starts over), so each attempt deletes a few such keys: the table
// stays as small as the last day's traffic however many addresses and emails a spray used, with no job to run.
const PRUNE_BATCH = 50;
const PRUNE_SQL = `
  DELETE FROM admin_sign_in_throttle WHERE key IN (
    SELECT key FROM admin_sign_in_throttle
     WHERE last_attempt_at < $1::timestamptz - make_interval(secs => $2) AND next_attempt_at <= $1
     ORDER BY last_attempt_at LIMIT ${PRUNE_BATCH})`;

/**
 * Counts an attempt against every key, or refuses it: `{ ok: false, retryAfterSeconds }` when a key is still inside
 * its delay (that key is not counted; keys before it in the list are).
 */
export async function claimSignInAttempt(
  keys: ThrottleKey[],
  now: Date,
): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }> {
  await pgPool().query(PRUNE_SQL, [now, SIGN_IN_THROTTLE.forgetAfterSeconds]);
  for (const { key, policy } of keys) {
    const { rowCount } = await pgPool().query(CLAIM_SQL, [
      key,
      now,
      policy.freeAttempts,
      SIGN_IN_THROTTLE.baseDelaySeconds,
      SIGN_IN_THROTTLE.maxDelaySeconds,
      SIGN_IN_THROTTLE.forgetAfterSeconds,
    ]);
    if (rowCount === 0) {
      const { rows } = await pgPool().query<{ next_attempt_at: Date }>(
        "SELECT next_attempt_at FROM admin_sign_in_throttle WHERE key = $1",
        [key],
      );
      const waitMs = (rows[0]?.next_attempt_at.getTime() ?? now.getTime()) - now.getTime();
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    }
  }
  return { ok: true };
}

/**
 * After a successful sign-in: the account's and the device's counts start over; the client address gets this
 * attempt back (others guessing from the same address are not forgiven).
 */
export async function forgiveSignInAttempt(keys: ThrottleKey[]): Promise<void> {
  const cleared = keys.filter(({ key }) => !key.startsWith("client:")).map(({ key }) => key);
  const clients = keys.filter(({ key }) => key.startsWith("client:")).map(({ key }) => key);
  await pgPool().query("DELETE FROM admin_sign_in_throttle WHERE key = ANY($1::text[])", [cleared]);
  await pgPool().query(
    "UPDATE admin_sign_in_throttle SET attempts = GREATEST(attempts - 1, 0) WHERE key = ANY($1::text[])",
    [clients],
  );
}
