import type pg from "pg";
import { pgPool, withTransaction } from "~/db.server";
import { env } from "~/env.server";
import { logger } from "~/lib/logger.server";
import { shopOrigin } from "./admin-api-url";
import {
  ShopifyAccessRevokedError,
  ShopifyHttpError,
  ShopifyTokenMigrationRefusedError,
  ShopifyTokenRefreshFailedError,
} from "./errors";

// The shop's offline access token for background work, read from the stored session on every request so that a
// long job picks up a token another job (or a webhook) refreshed meanwhile.
//
// Expiring offline tokens last an hour and come with a refresh token that works once: refreshing returns a new
// pair and invalidates the old refresh token ("Use expiring offline access tokens",
// https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens). Two
// jobs of one shop refreshing at once would both spend it and the second would lose the shop, so a refresh holds
// the session row's lock (SELECT ... FOR UPDATE) and re-reads the row after taking it: whoever comes second finds
// the new token and uses it.
//
// A shop installed before expiring tokens were turned on still has a non-expiring token (no expiry, no refresh
// token), which Shopify stops accepting on 2027-01-01. Its first use migrates it: a token exchange of the old token
// for an expiring pair ("Migrate to expiring offline access tokens", docs/decisions/004), under the same lock.

const log = logger.child({ scope: "shopify-token" });

/**
 * Refresh this long before the stored expiry. Above the library's own five minutes
 * (@shopify/shopify-app-remix WITHIN_MILLISECONDS_OF_EXPIRY), so a webhook or page that loads the session through
 * the library finds it already fresh and never refreshes outside the lock.
 */
export const REFRESH_BEFORE_EXPIRY_MS = 10 * 60 * 1000;
// The refresh runs inside the row lock's transaction: well under the web pool's 15 s idle-in-transaction limit.
const REFRESH_TIMEOUT_MS = 10_000;

export interface AccessTokenSource {
  /** The token to send now; refreshed first when it expires within REFRESH_BEFORE_EXPIRY_MS. */
  current(): Promise<string>;
  /** Shopify answered 401 to `rejected`: the token to retry with (refreshed unless another caller already did). */
  afterUnauthorized(rejected: string): Promise<string>;
}

export interface OfflineTokenOptions {
  // Epoch milliseconds; the same clock the emulator runs on in tests.
  now?: () => number;
  fetch?: typeof fetch;
}

interface SessionRow {
  access_token: string;
  expires: Date | null;
  refresh_token: string | null;
  refresh_token_expires: Date | null;
}

/** The offline session's id, as @shopify/shopify-api names it (Session.getOfflineId). */
export function offlineSessionId(shop: string): string {
  return `offline_${shop}`;
}

const SESSION_COLUMNS = "access_token, expires, refresh_token, refresh_token_expires";

export function offlineTokenSource(shop: string, options: OfflineTokenOptions = {}): AccessTokenSource {
  const now = options.now ?? Date.now;
  // A migration that failed is tried once per source (per job, per library load), not before every request.
  let migrationFailed = false;
  return {
    async current() {
      const row = await readSession(pgPool(), shop, false);
      if (isNonExpiring(row)) {
        if (migrationFailed) return row.access_token;
        try {
          return await migrateUnderLock(shop, { ...options, now });
        } catch (error) {
          // The old token still works until Shopify says otherwise: a refused or failed migration is logged and the
          // work goes on with it; a 401 then goes through afterUnauthorized like any other.
          migrationFailed = true;
          if (!(error instanceof ShopifyTokenMigrationRefusedError || error instanceof ShopifyHttpError)) throw error;
          log.warn({ shop, outcome: "migration-failed" }, `${error.message}; using the non-expiring token meanwhile`);
          return row.access_token;
        }
      }
      if (!expiresSoon(row, now())) return row.access_token;
      return refreshUnderLock(shop, { ...options, now }, (locked) => expiresSoon(locked, now()));
    },
    async afterUnauthorized(rejected) {
      const locked = { ...options, now };
      // A non-expiring token Shopify rejects may be one it already migrated while its answer was lost: exchanging it
      // again returns the same pair for seven days. A refusal then means the access is gone.
      const row = await readSession(pgPool(), shop, false);
      if (isNonExpiring(row) && row.access_token === rejected) {
        try {
          return await migrateUnderLock(shop, locked);
        } catch (error) {
          if (error instanceof ShopifyTokenMigrationRefusedError)
            throw new ShopifyAccessRevokedError(
              shop,
              `${error.message}, and rejected the token itself (401): the app must be opened again from the shop's admin`,
            );
          throw error;
        }
      }
      return refreshUnderLock(
        shop,
        locked,
        (current) => current.access_token === rejected || expiresSoon(current, now()),
      );
    },
  };
}

/** Loads the offline session through the same lock, refreshing it when it expires soon (the library's path). */
export async function ensureFreshOfflineSession(shop: string, options: OfflineTokenOptions = {}): Promise<void> {
  await offlineTokenSource(shop, options).current();
}

function isNonExpiring(row: SessionRow): boolean {
  return row.expires === null && row.refresh_token === null;
}

function expiresSoon(row: SessionRow, nowMs: number): boolean {
  return row.expires !== null && row.expires.getTime() - nowMs <= REFRESH_BEFORE_EXPIRY_MS;
}

async function readSession(db: pg.Pool | pg.PoolClient, shop: string, lock: boolean): Promise<SessionRow> {
  const { rows } = await db.query<SessionRow>(
    `SELECT ${SESSION_COLUMNS} FROM session WHERE id = $1${lock ? " FOR UPDATE" : ""}`,
    [offlineSessionId(shop)],
  );
  // No offline session: the app is not (or no longer) installed, the same situation as a revoked token.
  if (!rows[0]?.access_token) throw new ShopifyAccessRevokedError(shop);
  return rows[0];
}

async function refreshUnderLock(
  shop: string,
  options: OfflineTokenOptions & { now: () => number },
  stillNeeded: (row: SessionRow) => boolean,
): Promise<string> {
  return withTransaction(async (client) => {
    // Re-read after taking the lock: a caller that waited here finds the token the first one stored.
    const row = await readSession(client, shop, true);
    if (!stillNeeded(row)) return row.access_token;
    if (!row.refresh_token) throw new ShopifyAccessRevokedError(shop);
    if (row.refresh_token_expires && row.refresh_token_expires.getTime() <= options.now()) {
      throw new ShopifyTokenRefreshFailedError(shop, "the refresh token expired");
    }
    const refreshed = await requestToken(
      shop,
      options,
      "token refresh",
      { grant_type: "refresh_token", refresh_token: row.refresh_token },
      (reason) => new ShopifyTokenRefreshFailedError(shop, reason),
    );
    await storeIssued(client, shop, refreshed, options.now());
    return refreshed.access_token;
  });
}

async function migrateUnderLock(shop: string, options: OfflineTokenOptions & { now: () => number }): Promise<string> {
  return withTransaction(async (client) => {
    const row = await readSession(client, shop, true);
    // Migrated meanwhile (another job, a webhook, a reinstall): use what is stored now.
    if (!isNonExpiring(row)) return row.access_token;
    const issued = await requestToken(
      shop,
      options,
      "token migration",
      {
        grant_type: TOKEN_EXCHANGE_GRANT,
        subject_token: row.access_token,
        subject_token_type: OFFLINE_ACCESS_TOKEN_TYPE,
        requested_token_type: OFFLINE_ACCESS_TOKEN_TYPE,
        expiring: "1",
      },
      (reason) => new ShopifyTokenMigrationRefusedError(shop, reason),
    );
    await storeIssued(client, shop, issued, options.now());
    log.info(
      { shop, outcome: "migrated" },
      `the non-expiring offline token of ${shop} was exchanged for an expiring one`,
    );
    return issued.access_token;
  });
}

async function storeIssued(
  client: pg.PoolClient,
  shop: string,
  issued: RefreshResponse,
  issuedAt: number,
): Promise<void> {
  await client.query(
    `UPDATE session SET access_token = $2, expires = $3, refresh_token = $4, refresh_token_expires = $5, scope = COALESCE($6, scope)
      WHERE id = $1`,
    [
      offlineSessionId(shop),
      issued.access_token,
      new Date(issuedAt + issued.expires_in * 1000),
      issued.refresh_token,
      new Date(issuedAt + issued.refresh_token_expires_in * 1000),
      issued.scope ?? null,
    ],
  );
}

const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const OFFLINE_ACCESS_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token";

interface RefreshResponse {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  refresh_token_expires_in: number;
  scope?: string;
}

// POST /admin/oauth/access_token (a refresh, or a migration's token exchange). A 4xx (invalid_grant: the refresh token
// was used, revoked or expired; invalid_subject_token; invalid_client) cannot be retried: `refused` says what it
// means. A 5xx or a network failure is transient: a ShopifyHttpError that fails only this attempt of the job, leaving
// the stored tokens as they were.
async function requestToken(
  shop: string,
  options: OfflineTokenOptions,
  what: string,
  grant: Record<string, string>,
  refused: (reason: string) => Error,
): Promise<RefreshResponse> {
  const { SHOPIFY_API_KEY, SHOPIFY_API_SECRET } = env();
  let response: Response;
  let text: string;
  try {
    response = await (options.fetch ?? fetch)(`${shopOrigin(shop)}/admin/oauth/access_token`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ client_id: SHOPIFY_API_KEY, client_secret: SHOPIFY_API_SECRET, ...grant }),
      signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    throw new ShopifyHttpError(shop, null, `${what}: ${(error as Error).message}`);
  }
  if (response.status >= 400 && response.status < 500)
    throw refused(`Shopify answered ${response.status} ${oauthError(text)}`);
  if (!response.ok) throw new ShopifyHttpError(shop, response.status, `${what}: ${text.slice(0, 200)}`);
  const body = parseRefresh(text);
  if (!body) throw new ShopifyHttpError(shop, response.status, `${what}: unreadable answer`);
  return body;
}

function parseRefresh(text: string): RefreshResponse | null {
  try {
    const body = JSON.parse(text) as Partial<RefreshResponse>;
    const complete =
      typeof body.access_token === "string" &&
      typeof body.refresh_token === "string" &&
      typeof body.expires_in === "number" &&
      typeof body.refresh_token_expires_in === "number";
    return complete ? (body as RefreshResponse) : null;
  } catch {
    return null;
  }
}

// Only the OAuth error code goes into messages (and so into logs and alerts): never the body, which could echo
// credentials.
function oauthError(text: string): string {
  try {
    const code = (JSON.parse(text) as { error?: unknown }).error;
    return typeof code === "string" ? code.replace(/[^a-z_]/gi, "").slice(0, 40) : "";
  } catch {
    return "";
  }
}
