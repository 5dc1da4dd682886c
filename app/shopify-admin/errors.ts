// Everything the Admin client throws. Callers branch on the class: a revoked connection is deactivated, a
// locked store is skipped until later, the rest is an ordinary job failure.

export class ShopifyAdminError extends Error {
  constructor(
    message: string,
    readonly shop: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

// 401: the app was uninstalled or the token revoked. Retrying cannot help.
export class ShopifyAccessRevokedError extends ShopifyAdminError {
  constructor(
    shop: string,
    message = `Shopify rejected the access token of ${shop} (401): the app was uninstalled or its access revoked`,
  ) {
    super(message, shop);
  }
}

// An expiring offline token could not be renewed: its refresh token expired, was already used, or was revoked.
// Without merchant interaction nothing brings the access back, so it is handled as a revoked token.
export class ShopifyTokenRefreshFailedError extends ShopifyAccessRevokedError {
  constructor(shop: string, reason: string) {
    super(
      shop,
      `Shopify refused to refresh the access token of ${shop} (${reason}): the app must be opened again from the shop's admin`,
    );
  }
}

// Shopify refused to exchange a non-expiring offline token for an expiring one (4xx). Not in itself a lost access:
// the old token is used while Shopify takes it; only a 401 for it as well loses the shop.
export class ShopifyTokenMigrationRefusedError extends ShopifyAdminError {
  constructor(shop: string, reason: string) {
    super(`Shopify refused to migrate the non-expiring offline token of ${shop} to an expiring one (${reason})`, shop);
  }
}

// 423: Shopify locked the store (fraud checks, unpaid plan). Try again much later.
export class ShopifyStoreLockedError extends ShopifyAdminError {
  constructor(shop: string) {
    super(`The store ${shop} is locked (423)`, shop);
  }
}

export interface GraphqlErrorDetail {
  message: string;
  code?: string;
  path?: ReadonlyArray<string | number>;
  /** The requested cost, on MAX_COST_EXCEEDED. */
  cost?: number;
}

// The query reached Shopify and Shopify answered with errors (invalid query, ACCESS_DENIED, a failed resolver).
export class ShopifyGraphqlError extends ShopifyAdminError {
  constructor(
    shop: string,
    readonly errors: GraphqlErrorDetail[],
    readonly data: unknown = null,
  ) {
    super(
      `Shopify GraphQL error for ${shop}: ${errors.map((e) => (e.code ? `${e.code}: ${e.message}` : e.message)).join("; ")}`,
      shop,
    );
  }

  get codes(): string[] {
    return this.errors.flatMap((e) => (e.code ? [e.code] : []));
  }
}

// Throttling that outlasted the client's generous patience; rare enough to deserve a failure.
export class ShopifyThrottledError extends ShopifyAdminError {
  constructor(shop: string, attempts: number) {
    super(`Shopify kept throttling ${shop} after ${attempts} attempts`, shop);
  }
}

// 429/5xx/network failures that did not clear within the retry budget, and other unexpected HTTP answers.
export class ShopifyHttpError extends ShopifyAdminError {
  constructor(
    shop: string,
    readonly status: number | null,
    detail: string,
  ) {
    super(`Shopify request for ${shop} failed${status === null ? "" : ` with HTTP ${status}`}: ${detail}`, shop);
  }
}

// A mutation answered with userErrors; thrown by callers that treat them as failures.
export class ShopifyUserError extends ShopifyAdminError {
  constructor(
    shop: string,
    readonly operation: string,
    readonly userErrors: ReadonlyArray<{ field?: ReadonlyArray<string> | null; message: string; code?: string | null }>,
  ) {
    super(
      `${operation} for ${shop} returned user errors: ${userErrors.map((e) => (e.code ? `${e.code}: ${e.message}` : e.message)).join("; ")}`,
      shop,
    );
  }
}
