import { randomBytes } from "node:crypto";
import { jsonReply, type HttpReply } from "./http-reply";
import { verifySessionToken } from "./session-token";
import type { ShopState } from "./store";

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const ONLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:online-access-token";
export const OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token";
const ACCESS_TOKEN_SECONDS = 3_600;
const REFRESH_TOKEN_SECONDS = 7_776_000; // 90 days
// A lost migration answer can be recovered by exchanging the original token again, for this long.
const MIGRATION_RECOVERY_MS = 7 * 86_400_000;
// A used refresh token can be used again, until its replacement is used, for this long after its first use.
const REFRESH_RECOVERY_MS = 30 * 86_400_000;

// What a migration issued, so that an exchange of the same original token can return it again.
interface Migration {
  shop: string;
  accessToken: string;
  refreshToken: string;
  at: number;
}

export interface TokenIssuerOptions {
  apiKey?: string;
  apiSecret: string;
  nowMs: () => number;
}

// POST /admin/oauth/access_token: token exchange (embedded apps), the authorization-code grant and refresh of
// expiring offline tokens. An issued token is valid for the shop's Admin API at once. An expiring offline token
// (`expiring=1`) works for `expires_in` (3,600 s) on the emulator's clock. Refreshing returns a new access token and a
// new refresh token ("Use expiring offline access tokens",
// https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens). The refresh
// token used stays usable, so that an app whose answer was lost (a timeout, a crash before it stored the pair) can
// retry it, until the app uses its replacement, and for 30 days from its first use at the most, never past its own
// 90 days; a retry issues another pair, and only the latest replacement works ("More resilient refreshes for expiring
// offline access tokens", https://shopify.dev/changelog/more-resilient-refreshes-for-expiring-offline-access-tokens).
export class TokenIssuer {
  private readonly codes = new Map<string, string>();
  private readonly refreshTokens = new Map<string, string>();
  private readonly refreshExpiresAt = new Map<string, number>();
  // A refresh token used at least once -> when it was first used and the one replacement that works now.
  private readonly usedRefreshTokens = new Map<string, { shop: string; firstUsedAt: number; replacement: string }>();
  // Replacement -> the used refresh token it replaced (retired when the replacement is used).
  private readonly replaced = new Map<string, string>();
  // Original non-expiring token -> the pair its migration issued.
  private readonly migrations = new Map<string, Migration>();

  constructor(private readonly options: TokenIssuerOptions) {}

  issueAuthCode(shop: ShopState): string {
    const code = randomBytes(16).toString("hex");
    this.codes.set(code, shop.domain);
    return code;
  }

  // Uninstalling or revoking the app invalidates its refresh tokens as well as its access tokens.
  revokeRefreshTokens(domain: string): number {
    let revoked = 0;
    for (const [token, owner] of this.refreshTokens) {
      if (owner !== domain) continue;
      this.refreshTokens.delete(token);
      revoked++;
    }
    for (const [token, used] of this.usedRefreshTokens) if (used.shop === domain) this.usedRefreshTokens.delete(token);
    return revoked;
  }

  handle(shop: ShopState, params: Record<string, string>): HttpReply {
    if (
      (this.options.apiKey && params.client_id !== this.options.apiKey) ||
      params.client_secret !== this.options.apiSecret
    ) {
      return jsonReply(401, {
        error: "invalid_client",
        error_description:
          "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
      });
    }
    const expiring = params.expiring === "1";
    if (params.grant_type === TOKEN_EXCHANGE_GRANT && params.subject_token_type === OFFLINE_TOKEN_TYPE) {
      return this.migrate(shop, params.subject_token ?? "");
    }
    if (params.grant_type === TOKEN_EXCHANGE_GRANT) {
      const verified = verifySessionToken(params.subject_token ?? "", this.options.apiSecret, this.options.nowMs());
      if (!verified.ok)
        return jsonReply(400, {
          error: "invalid_subject_token",
          error_description: `Session token is invalid: ${verified.reason}`,
        });
      const claims = verified.claims;
      if (claims.dest.replace(/^https:\/\//, "") !== shop.domain) {
        return jsonReply(400, {
          error: "invalid_subject_token",
          error_description: "Session token was issued for another shop",
        });
      }
      if (this.options.apiKey && claims.aud !== this.options.apiKey) {
        return jsonReply(400, {
          error: "invalid_subject_token",
          error_description: "Session token audience does not match the client",
        });
      }
      if (params.requested_token_type === ONLINE_TOKEN_TYPE) return jsonReply(200, this.online(shop, claims.sub));
      return jsonReply(200, this.offline(shop, expiring));
    }
    if (params.grant_type === "refresh_token") return this.refresh(shop, params.refresh_token ?? "");
    if (params.code !== undefined) {
      const owner = this.codes.get(params.code);
      this.codes.delete(params.code);
      if (owner !== shop.domain)
        return jsonReply(400, {
          error: "invalid_request",
          error_description: "The authorization code was not found or was already used",
        });
      return jsonReply(200, this.offline(shop, expiring));
    }
    return jsonReply(400, {
      error: "unsupported_grant_type",
      error_description: `Unsupported grant type ${params.grant_type ?? "(none)"}`,
    });
  }

  private refresh(shop: ShopState, token: string): HttpReply {
    const now = this.options.nowMs();
    const invalid = jsonReply(400, {
      error: "invalid_grant",
      error_description: "Refresh token is invalid or expired",
    });
    if ((this.refreshExpiresAt.get(token) ?? Infinity) <= now) return invalid;
    if (this.refreshTokens.get(token) === shop.domain) {
      // Its first use: it is retired as a live token, and the one it replaced, if any, for good.
      this.refreshTokens.delete(token);
      const predecessor = this.replaced.get(token);
      if (predecessor !== undefined) {
        this.usedRefreshTokens.delete(predecessor);
        this.replaced.delete(token);
      }
      const issued = this.offline(shop, true) as { refresh_token: string };
      this.usedRefreshTokens.set(token, { shop: shop.domain, firstUsedAt: now, replacement: issued.refresh_token });
      this.replaced.set(issued.refresh_token, token);
      return jsonReply(200, issued);
    }
    const used = this.usedRefreshTokens.get(token);
    if (!used || used.shop !== shop.domain || now - used.firstUsedAt >= REFRESH_RECOVERY_MS) return invalid;
    // A retry after a lost answer: another pair, and the replacement issued before stops working.
    this.refreshTokens.delete(used.replacement);
    this.replaced.delete(used.replacement);
    const issued = this.offline(shop, true) as { refresh_token: string };
    used.replacement = issued.refresh_token;
    this.replaced.set(issued.refresh_token, token);
    return jsonReply(200, issued);
  }

  // Migrating a non-expiring offline token ("Migrate to expiring offline access tokens": token exchange with the
  // non-expiring token as subject_token and subject_token_type offline-access-token). The original token stops working
  // for the Admin API. Exchanging it again within seven days returns the same pair (its access token's expiry
  // extended), until that pair is refreshed or a later token acquisition replaces it ("More resilient token exchanges
  // when migrating tokens without a user session"); anything else is refused.
  private migrate(shop: ShopState, original: string): HttpReply {
    const refused = jsonReply(400, {
      error: "invalid_subject_token",
      error_description: "The subject token is not a valid non-expiring offline access token for this shop",
    });
    const earlier = this.migrations.get(original);
    if (earlier) {
      const recoverable =
        earlier.shop === shop.domain &&
        this.options.nowMs() - earlier.at < MIGRATION_RECOVERY_MS &&
        this.refreshTokens.get(earlier.refreshToken) === shop.domain &&
        shop.tokens.has(earlier.accessToken);
      if (!recoverable) return refused;
      const now = this.options.nowMs();
      shop.tokenExpiresAt.set(earlier.accessToken, now + ACCESS_TOKEN_SECONDS * 1000);
      const refreshExpiresIn = Math.floor(((this.refreshExpiresAt.get(earlier.refreshToken) ?? now) - now) / 1000);
      return jsonReply(200, {
        access_token: earlier.accessToken,
        scope: shop.scopes,
        expires_in: ACCESS_TOKEN_SECONDS,
        refresh_token: earlier.refreshToken,
        refresh_token_expires_in: refreshExpiresIn,
      });
    }
    // Only a live token of this shop that never expires can be migrated.
    if (!original || !shop.tokens.has(original) || shop.tokenExpiresAt.has(original)) return refused;
    shop.tokens.delete(original);
    const issued = this.offline(shop, true) as { access_token: string; refresh_token: string };
    this.migrations.set(original, {
      shop: shop.domain,
      accessToken: issued.access_token,
      refreshToken: issued.refresh_token,
      at: this.options.nowMs(),
    });
    return jsonReply(200, issued);
  }

  private forgetMigrations(domain: string): void {
    for (const [original, migration] of this.migrations)
      if (migration.shop === domain) this.migrations.delete(original);
  }

  private offline(shop: ShopState, expiring: boolean): Record<string, unknown> {
    // A new offline token for the shop replaces whatever an earlier migration issued: no recovery from then on.
    this.forgetMigrations(shop.domain);
    const accessToken = `shpat_${randomBytes(16).toString("hex")}`;
    shop.tokens.add(accessToken);
    if (!expiring) return { access_token: accessToken, scope: shop.scopes };
    const refreshToken = `shprt_${randomBytes(16).toString("hex")}`;
    const now = this.options.nowMs();
    shop.tokenExpiresAt.set(accessToken, now + ACCESS_TOKEN_SECONDS * 1000);
    this.refreshTokens.set(refreshToken, shop.domain);
    this.refreshExpiresAt.set(refreshToken, now + REFRESH_TOKEN_SECONDS * 1000);
    return {
      access_token: accessToken,
      scope: shop.scopes,
      expires_in: ACCESS_TOKEN_SECONDS,
      refresh_token: refreshToken,
      refresh_token_expires_in: REFRESH_TOKEN_SECONDS,
    };
  }

  private online(shop: ShopState, userId: string): Record<string, unknown> {
    const accessToken = `shpua_${randomBytes(16).toString("hex")}`;
    shop.tokens.add(accessToken);
    return {
      access_token: accessToken,
      scope: shop.scopes,
      expires_in: 86_399,
      associated_user_scope: shop.scopes,
      associated_user: {
        id: Number(userId) || 1,
        first_name: "Emulator",
        last_name: "Owner",
        email: shop.email,
        account_owner: true,
        locale: "en",
        collaborator: false,
        email_verified: true,
      },
    };
  }
}
