import type { GraphqlDocument } from "~/shopify-admin/graphql-document";

// What the product sync needs from the Admin API client (app/shopify-admin's AdminClient satisfies it): send one
// typed document, get its data or a typed error (app/shopify-admin/errors.ts). Jobs take a factory, so a test can
// hand them any client.

export interface AdminGraphqlClient {
  request<TData, TVariables extends object>(
    document: GraphqlDocument<TData, TVariables>,
    variables: TVariables,
  ): Promise<TData>;
}

export type AdminClientFactory = (shop: string) => Promise<AdminGraphqlClient>;
