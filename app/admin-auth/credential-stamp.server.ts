import { createHash } from "node:crypto";

/**
 * A short fingerprint of the account's current password hash, kept in the session: when the password is reset
 * (`npm run admin:create` again), the stamp changes and every session signed in with the old password ends.
 * A one-way digest of the hash, so the cookie (signed, not encrypted) reveals nothing usable about the hash.
 */
export function credentialStamp(passwordHash: string): string {
  return createHash("sha256").update(`admin-session-stamp:${passwordHash}`).digest("base64url").slice(0, 16);
}
