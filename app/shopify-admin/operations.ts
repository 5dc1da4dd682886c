import { graphqlDocument } from "./graphql-document";

// Every GraphQL document the app sends to Shopify, in one place: a test validates each against the 2026-01 schema
// and checks that paginated ones stay under Shopify's 1,000-point single-query limit at their page size.
// Result types are written by hand and cover exactly what each document selects.

type Gid = string;
type DateTime = string;
// Money is a decimal string; never parse it into a float.
type Decimal = string;

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface UserError {
  field: string[] | null;
  message: string;
}

// ------------------------------------------------------------------------------------------------ shop
export interface ShopInfo {
  shop: {
    id: Gid;
    name: string;
    myshopifyDomain: string;
    email: string;
    currencyCode: string;
    ianaTimezone: string;
    plan: { publicDisplayName: string; shopifyPlus: boolean; partnerDevelopment: boolean };
  };
}

export const SHOP_QUERY = graphqlDocument<ShopInfo>(/* GraphQL */ `
  query ShopInfo {
    shop {
      id
      name
      myshopifyDomain
      email
      currencyCode
      ianaTimezone
      plan {
        publicDisplayName
        shopifyPlus
        partnerDevelopment
      }
    }
  }
`);

// ------------------------------------------------------------------------------------------------ locations
// (Location.isPrimary is deprecated in 2026-01: `location` without an id still answers the primary location.)
export interface LocationNode {
  id: Gid;
  name: string;
  isActive: boolean;
}

export const LOCATIONS_PAGE_SIZE = 250;

export const LOCATIONS_QUERY = graphqlDocument<
  { locations: { pageInfo: PageInfo; nodes: LocationNode[] } },
  { first: number; after?: string | null }
>(/* GraphQL */ `
  query Locations($first: Int!, $after: String) {
    locations(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
        isActive
      }
    }
  }
`);

// `location` without an id is the shop's primary location.
export const PRIMARY_LOCATION_QUERY = graphqlDocument<{ location: LocationNode | null }>(/* GraphQL */ `
  query PrimaryLocation {
    location {
      id
      name
      isActive
    }
  }
`);

// ------------------------------------------------------------------------------------------------ bulk export
// The daily product export, run as a bulk operation. app/sync/bulk-export-line.ts parses its lines: a product
// line, and one line per variant with `__parentId` (in 2026-01 lines come in no promised order). It carries no
// quantity: `inventoryQuantity` is the sum over every location, not what the marketplace sells (docs/decisions/008);
// quantities come from the inventory levels of the marketplace's locations.
export const BULK_PRODUCT_EXPORT_QUERY = graphqlDocument<never>(/* GraphQL */ `
  query BulkProductExport {
    products {
      edges {
        node {
          id
          title
          handle
          vendor
          productType
          status
          tags
          updatedAt
          variants {
            edges {
              node {
                id
                title
                sku
                price
                compareAtPrice
                updatedAt
                inventoryPolicy
                inventoryItem {
                  id
                  tracked
                }
              }
            }
          }
        }
      }
    }
  }
`);

export type BulkOperationStatus = "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELING" | "CANCELED" | "EXPIRED";
export type BulkOperationErrorCode = "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT";

export interface BulkOperationUserError extends UserError {
  code: "INVALID" | "OPERATION_IN_PROGRESS" | "LIMIT_REACHED" | null;
}

export interface BulkOperationNode {
  id: Gid;
  status: BulkOperationStatus;
  errorCode: BulkOperationErrorCode | null;
  createdAt: DateTime;
  completedAt: DateTime | null;
  // UnsignedInt64 values arrive as strings.
  objectCount: string;
  rootObjectCount: string;
  fileSize: string | null;
  url: string | null;
  partialDataUrl: string | null;
}

export const BULK_OPERATION_RUN_QUERY = graphqlDocument<
  {
    bulkOperationRunQuery: {
      bulkOperation: { id: Gid; status: BulkOperationStatus } | null;
      userErrors: BulkOperationUserError[];
    } | null;
  },
  { query: string }
>(/* GraphQL */ `
  mutation BulkOperationRunQuery($query: String!) {
    bulkOperationRunQuery(query: $query) {
      bulkOperation {
        id
        status
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export const BULK_OPERATION_QUERY = graphqlDocument<{ bulkOperation: BulkOperationNode | null }, { id: Gid }>(
  /* GraphQL */ `
    query BulkOperation($id: ID!) {
      bulkOperation(id: $id) {
        id
        status
        errorCode
        createdAt
        completedAt
        objectCount
        rootObjectCount
        fileSize
        url
        partialDataUrl
      }
    }
  `,
);

// The shop's bulk queries still building, newest first (Shopify's default order: created_at, newest first):
// product sync adopts one of its own instead of starting a duplicate (2026-01 allows five at once, so Shopify would
// not refuse a second). The OR is parenthesised: Shopify's search syntax documents no precedence between AND and OR.
export const RUNNING_BULK_QUERIES = graphqlDocument<{
  bulkOperations: { nodes: Array<{ id: Gid; status: BulkOperationStatus; query: string; createdAt: DateTime }> };
}>(/* GraphQL */ `
  query RunningBulkQueries {
    bulkOperations(first: 5, query: "operation_type:QUERY AND (status:CREATED OR status:RUNNING)") {
      nodes {
        id
        status
        query
        createdAt
      }
    }
  }
`);

// ------------------------------------------------------------------------------------------------ products
export interface VariantNode {
  id: Gid;
  title: string;
  sku: string | null;
  price: Decimal;
  compareAtPrice: Decimal | null;
  updatedAt: DateTime;
  inventoryPolicy: InventoryPolicy;
  inventoryItem: { id: Gid; tracked: boolean };
}

export type InventoryPolicy = "DENY" | "CONTINUE";

export interface ProductNode {
  id: Gid;
  title: string;
  handle: string;
  vendor: string;
  productType: string;
  status: "ACTIVE" | "ARCHIVED" | "DRAFT" | "UNLISTED";
  tags: string[];
  updatedAt: DateTime;
  variants: { pageInfo: PageInfo; nodes: VariantNode[] };
}

export interface VariantWithProductNode extends VariantNode {
  product: { id: Gid };
}

// 2 + 250 x 3 = 752 points a page.
export const PRODUCT_VARIANTS_PAGE_SIZE = 250;

// Variants page by page, optionally filtered (`updated_at:>'…'`, `product_id:…`).
export const PRODUCT_VARIANTS_QUERY = graphqlDocument<
  { productVariants: { pageInfo: PageInfo; nodes: VariantWithProductNode[] } },
  { first: number; after?: string | null; query?: string | null }
>(/* GraphQL */ `
  query ProductVariants($first: Int!, $after: String, $query: String) {
    productVariants(first: $first, after: $after, query: $query) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        title
        sku
        price
        compareAtPrice
        updatedAt
        inventoryPolicy
        inventoryItem {
          id
          tracked
        }
        product {
          id
        }
      }
    }
  }
`);

// ------------------------------------------------------------------------------------------------ inventory
export interface InventoryLevelNode {
  id: Gid;
  updatedAt: DateTime;
  quantities: Array<{ name: string; quantity: number }>;
  item: { id: Gid; tracked: boolean };
}
/** InventoryLevelNode's fields, the one selection of the paged read and the bulk read (they parse it alike). */
const INVENTORY_LEVEL_FIELDS = /* GraphQL */ `
  id
  updatedAt
  quantities(names: ["available"]) {
    name
    quantity
  }
  item {
    id
    tracked
  }`;

// Each level costs 3 points by Shopify's rules (the level, its quantities, its item): 3 + 250 x 3 = 753, under the
// 1,000-point limit at Shopify's largest page (MAX_PAGE_SIZE). The level carries nothing the marketplace already
// knows: the item's variant, its inventory policy and its product come with the product sync (the bulk export, not
// charged against the rate limit) and products/* webhooks, keyed by inventory item id (apply-inventory-levels); a
// level of an item not known yet is stored and a product sync queued. `item.variants(first: 1) { id inventoryPolicy
// product { id } }` would add 4 points a level (7 in all): a STANDARD shop's first full read would take more than
// twice as long. Only a first guess: the sync sizes its pages from the cost Shopify reports
// (app/shopify-admin/page-size.ts) and shrinks on MAX_COST_EXCEEDED.
export const INVENTORY_LEVELS_PAGE_SIZE = 250;

// The inventory sync of one location: the hourly run passes `updated_at:>'<last sync>'`, the reconciliation none.
export const INVENTORY_LEVELS_QUERY = graphqlDocument<
  { location: { id: Gid; inventoryLevels: { pageInfo: PageInfo; nodes: InventoryLevelNode[] } } | null },
  { locationId: Gid; first: number; after?: string | null; query?: string | null }
>(/* GraphQL */ `
  query InventoryLevels($locationId: ID!, $first: Int!, $after: String, $query: String) {
    location(id: $locationId) {
      id
      inventoryLevels(first: $first, after: $after, query: $query) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          ${INVENTORY_LEVEL_FIELDS}
        }
      }
    }
  }
`);

/**
 * The full read of a shop's levels at the marketplace's locations as one bulk query (app/inventory/
 * inventory-read-operation.server.ts): the same fields as INVENTORY_LEVELS_QUERY, two nested connections (Shopify
 * allows five, two deep), each level a JSONL line of its own whose `__parentId` is its location. A bulk query is not
 * charged against the shop's rate limit: only the bulkOperationRunQuery mutation (10 points) and the polls are.
 * `location_id` is one of the locations query's documented filters; the app still keeps only the lines of the
 * locations it asked for. `includeInactive`: a location the merchant deactivated still answers (no levels), as
 * `location(id:)` does for the paged read, rather than looking deleted.
 */
export function bulkInventoryReadQuery(locationIds: readonly bigint[]): string {
  if (locationIds.length === 0) throw new Error("An inventory read needs at least one location");
  const filter = locationIds.map((id) => `location_id:${id}`).join(" OR ");
  return /* GraphQL */ `
  query BulkInventoryRead {
    locations(includeInactive: true, query: "${filter}") {
      edges {
        node {
          id
          inventoryLevels {
            edges {
              node {
                ${INVENTORY_LEVEL_FIELDS}
              }
            }
          }
        }
      }
    }
  }
`;
}

// ------------------------------------------------------------------------------------------------ verification
export interface VerifiedVariantNode {
  id: Gid;
  title: string;
  /** When the variant last changed in Shopify (with the product's: whether a mismatch may be a change in flight). */
  updatedAt: DateTime;
  price: Decimal;
  compareAtPrice: Decimal | null;
  inventoryPolicy: InventoryPolicy;
  product: { id: Gid; title: string; status: ProductNode["status"]; updatedAt: DateTime };
  inventoryItem: {
    id: Gid;
    tracked: boolean;
    inventoryLevels: {
      pageInfo: { hasNextPage: boolean };
      nodes: Array<{
        updatedAt: DateTime;
        location: { id: Gid };
        quantities: Array<{ name: string; quantity: number }>;
      }>;
    };
  };
}

// The levels read per item: the item's levels at up to this many locations (Shopify offers no filter by location
// here). An item stocked at more, whose page does not hold every marketplace location, has its quantity left
// unverified by that run (the daily reconciliation reads it); its other fields are still compared.
export const VERIFY_LEVELS_PER_ITEM = 10;
// Each id costs 35 points by the emulator's reckoning (variant, product, item, the levels connection's 2 and 10 x
// (level, location, quantities)): 28 ids stay under the 1,000-point limit. Verification sizes its requests from the
// cost Shopify reports (CostAwarePageSize), this is the first guess and the ceiling.
export const VERIFY_VARIANTS_MAX = 28;

// Verification (app/verification): variants read back by id. A variant or product deleted in Shopify comes back null.
export const VERIFY_VARIANTS_QUERY = graphqlDocument<
  { nodes: Array<VerifiedVariantNode | Record<string, never> | null> },
  { ids: Gid[] }
>(/* GraphQL */ `
  query VerifyVariants($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on ProductVariant {
        id
        title
        updatedAt
        price
        compareAtPrice
        inventoryPolicy
        product {
          id
          title
          status
          updatedAt
        }
        inventoryItem {
          id
          tracked
          inventoryLevels(first: 10) {
            pageInfo {
              hasNextPage
            }
            nodes {
              updatedAt
              location {
                id
              }
              quantities(names: ["available"]) {
                name
                quantity
              }
            }
          }
        }
      }
    }
  }
`);

// Which of these ids are products of the shop (the merchant selecting products not synced yet). Asked with the
// shop's own token, Shopify answers null for another shop's product. One point per id.
export const PRODUCT_IDS_MAX = 100;

export const PRODUCT_IDS_QUERY = graphqlDocument<{ nodes: Array<{ id?: Gid } | null> }, { ids: Gid[] }>(/* GraphQL */ `
  query ProductIds($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Product {
        id
      }
    }
  }
`);
