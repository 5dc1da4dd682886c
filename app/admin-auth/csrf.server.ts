import { randomBytes, timingSafeEqual } from "node:crypto";
import { CSRF_FIELD } from "./csrf-field";

// Every POST under /admin carries the session's CSRF token in a hidden field (AdminCsrfInput). SameSite=Lax already
// keeps the cookie off cross-site POSTs in current browsers; the token also covers older browsers, same-site
// attackers (another app on a sibling subdomain) and top-level GET-to-POST tricks.

export { CSRF_FIELD };

export function newCsrfToken(): string {
  return randomBytes(32).toString("base64url");
}

/** True when the form's token equals the session's (compared in constant time). */
export function csrfTokenMatches(sessionToken: string | undefined, formData: FormData): boolean {
  const submitted = formData.get(CSRF_FIELD);
  if (!sessionToken || typeof submitted !== "string") return false;
  const a = Buffer.from(sessionToken);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Throws 403 unless the form's token matches the session's. */
export function assertCsrfToken(sessionToken: string | undefined, formData: FormData): void {
  if (!csrfTokenMatches(sessionToken, formData)) {
    throw new Response("The form expired or did not come from this site. Reload the page and try again.", {
      status: 403,
      statusText: "Forbidden",
    });
  }
}

/**
 * Throws 403 for a request the browser marks as coming from another site. Used where no session token exists yet
 * (the sign-in form: without it, another site could sign the browser into an attacker's account).
 */
export function refuseCrossSiteRequest(request: Request): void {
  if (request.headers.get("Sec-Fetch-Site") === "cross-site") {
    throw new Response("Cross-site form submissions are refused.", { status: 403, statusText: "Forbidden" });
  }
}
