import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Whether a request may read /metrics: always when no token is configured (a private network's scraper), otherwise
 * only with `Authorization: Bearer <token>`. Compared in constant time (hashes of equal length) so response timing
 * does not reveal the token.
 */
export function isMetricsRequestAuthorized(authorization: string | null, token: string | undefined): boolean {
  if (!token) return true;
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? "");
  if (!match) return false;
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(match[1].trim()), digest(token));
}
