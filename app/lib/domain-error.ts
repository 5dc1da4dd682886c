// The one error of every domain: a domain function that refuses (no such shop, a transition its state does not allow,
// a limit reached) throws a DomainError with a code and a message meant for the person who asked. No HTTP here: a
// domain function is called from routes, jobs, scripts and tests alike. The route layer turns a DomainError into its
// response, status by code, in one place (app/lib/domain-error-response.server.ts).

export type DomainErrorCode =
  | "CONNECTION_NOT_FOUND"
  | "SHOP_DISCONNECTED"
  | "SYNC_NOT_ALLOWED"
  | "RATE_LIMITED"
  | "INVALID_APPROVAL_TRANSITION"
  | "CONCURRENT_CHANGE"
  | "PRODUCTS_NOT_OWNED"
  | "LOCATIONS_NOT_OWNED"
  | "JOB_NOT_FOUND"
  | "JOB_RUNNING"
  | "INVALID_JOB_TRANSITION"
  | "ALERT_NOT_FOUND"
  | "ALERT_NOT_OPEN"
  | "FINDING_NOT_FOUND"
  | "FINDING_ALREADY_RESOLVED"
  | "ADMIN_SESSION_NOT_FOUND";

export interface DomainErrorDetails extends Record<string, unknown> {
  /** When asking again can succeed (RATE_LIMITED). */
  retryAt?: Date;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: DomainErrorDetails = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}
