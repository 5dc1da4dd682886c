// Errors of the merchant domain, by code. Routes map a code to an HTTP status with `httpStatusOf`, so a domain
// function never needs to know it is called from a request (the admin pages, a test, a script).

export type MerchantErrorCode =
  | "CONNECTION_NOT_FOUND"
  | "INVALID_APPROVAL_TRANSITION"
  | "CONCURRENT_CHANGE"
  | "PRODUCTS_NOT_OWNED"
  | "LOCATIONS_NOT_OWNED";

const HTTP_STATUS: Record<MerchantErrorCode, number> = {
  CONNECTION_NOT_FOUND: 404,
  INVALID_APPROVAL_TRANSITION: 409,
  CONCURRENT_CHANGE: 409,
  PRODUCTS_NOT_OWNED: 422,
  LOCATIONS_NOT_OWNED: 422,
};

export class MerchantError extends Error {
  constructor(
    readonly code: MerchantErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "MerchantError";
  }
}

export function httpStatusOf(error: MerchantError): number {
  return HTTP_STATUS[error.code];
}
