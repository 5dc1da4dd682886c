import { json } from "@remix-run/node";
import { DomainError, type DomainErrorCode } from "./domain-error";
import type { ActionOutcome } from "./form-input.server";

// How a route answers a domain's refusal (app/lib/domain-error.ts): the one table of HTTP statuses by code, and the
// one helper that turns a thrown DomainError into the refusal the pages show ({ ok: false, error }).

const HTTP_STATUS: Record<DomainErrorCode, number> = {
  CONNECTION_NOT_FOUND: 404,
  SHOP_DISCONNECTED: 409,
  SYNC_NOT_ALLOWED: 409,
  RATE_LIMITED: 429,
  INVALID_APPROVAL_TRANSITION: 409,
  CONCURRENT_CHANGE: 409,
  PRODUCTS_NOT_OWNED: 422,
  LOCATIONS_NOT_OWNED: 422,
  JOB_NOT_FOUND: 404,
  JOB_RUNNING: 409,
  INVALID_JOB_TRANSITION: 409,
  ALERT_NOT_FOUND: 404,
  ALERT_NOT_OPEN: 409,
  FINDING_NOT_FOUND: 404,
  FINDING_ALREADY_RESOLVED: 409,
  ADMIN_SESSION_NOT_FOUND: 404,
};

type Refusal = { ok: false; error: string };

/**
 * Runs a route's domain call and returns its response; a DomainError it throws becomes the refusal, with the code's
 * status and, when the error says when to ask again, Retry-After. `respond` builds the refusal (Remix's `json` by
 * default; a route answering with `data()` passes that). Any other error is not a refusal and is rethrown.
 */
export async function answerRefusals<T, R = ReturnType<typeof json<ActionOutcome>>>(
  work: () => Promise<T>,
  respond: (body: Refusal, init: ResponseInit) => R = (body, init) => json<ActionOutcome>(body, init) as R,
): Promise<T | R> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const retryAt = error.details.retryAt;
    const headers: HeadersInit = retryAt
      ? { "Retry-After": String(Math.max(1, Math.ceil((retryAt.getTime() - Date.now()) / 1000))) }
      : {};
    return respond({ ok: false, error: error.message }, { status: HTTP_STATUS[error.code], headers });
  }
}
