import { pgPool } from "~/db.server";
import { adminApiUrl } from "~/shopify-admin/admin-api-url";
import {
  ShopifyAccessRevokedError,
  ShopifyGraphqlError,
  ShopifyHttpError,
  ShopifyStoreLockedError,
} from "~/shopify-admin/errors";
import type { GraphqlDocument } from "~/shopify-admin/graphql-document";

// What the product sync needs from the Admin API client: send one typed document, get its data or a typed error
// (app/shopify-admin/errors.ts). Jobs receive a factory, so tests hand them a client pointed at the emulator.

export interface AdminGraphqlClient {
  request<TData, TVariables extends object>(document: GraphqlDocument<TData, TVariables>, variables?: TVariables): Promise<TData>;
}

export type AdminClientFactory = (shop: string) => Promise<AdminGraphqlClient>;

export class NoOfflineSessionError extends Error {
  constructor(readonly shop: string) {
    super(`No offline session (access token) stored for ${shop}`);
    this.name = "NoOfflineSessionError";
  }
}

/**
 * PROVISIONAL until app/shopify-admin's throttle-aware client (`adminClientForShop`) lands: a plain fetch client
 * on the shop's stored offline session. It has no throttle handling; bulk export needs three small requests.
 */
export const offlineSessionAdminClient: AdminClientFactory = async (shop) => {
  const { rows } = await pgPool().query<{ access_token: string }>(
    "SELECT access_token FROM session WHERE id = $1",
    [`offline_${shop}`],
  );
  if (rows.length === 0) throw new NoOfflineSessionError(shop);
  const token = rows[0].access_token;
  return {
    async request(document, variables) {
      const response = await fetch(adminApiUrl(shop), {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
        body: JSON.stringify({ query: document, variables: variables ?? {} }),
      }).catch((error: Error) => {
        throw new ShopifyHttpError(shop, null, error.message);
      });
      if (response.status === 401) throw new ShopifyAccessRevokedError(shop);
      if (response.status === 423) throw new ShopifyStoreLockedError(shop);
      if (!response.ok) throw new ShopifyHttpError(shop, response.status, await response.text().catch(() => ""));
      const body = (await response.json()) as {
        data?: unknown;
        errors?: Array<{ message: string; extensions?: { code?: string }; path?: Array<string | number> }>;
      };
      if (body.errors?.length) {
        throw new ShopifyGraphqlError(
          shop,
          body.errors.map((e) => ({ message: e.message, code: e.extensions?.code, path: e.path })),
          body.data ?? null,
        );
      }
      return body.data as never;
    },
  };
};
