import { GraphQLError, type GraphQLFieldResolver, type GraphQLTypeResolver } from "graphql";
import { SHOPIFY_API_VERSION } from "../app/shopify-admin/api-version";
import { gid, inventoryLevelGid, isoSeconds, numericId, parseGid } from "./ids";
import { paginate, type ConnectionArgs } from "./pagination";
import { compileSearch, type SearchFields } from "./search-query";
import type {
  EmulatorStore,
  LocationRecord,
  ProductRecord,
  ShopState,
  VariantRecord,
  WebhookSubscriptionRecord,
} from "./store";
import { levelAt, totalInventory, variantInventory } from "./store";
import {
  inventoryItemView,
  inventoryLevelView,
  levelOf,
  type InventoryItemView,
  type InventoryLevelView,
} from "./views";
import type { BulkOperationRecord } from "./bulk/bulk-operation-record";
import type { BulkOperations } from "./bulk/bulk-operations";

export interface ResolverContext {
  shop: ShopState;
  store: EmulatorStore;
  bulk: BulkOperations;
}

type Args = Record<string, unknown>;
type FieldFn = (source: never, args: Args, ctx: ResolverContext) => unknown;

// A connection field: the full, filtered list in ascending id order. GraphQL requests page through it; bulk
// operations unroll it.
export interface ConnectionSource {
  list(source: never, args: Args, ctx: ResolverContext): readonly unknown[];
  idOf(item: never): number;
  // Builds the node from a list item, for lists of records that are not the node type themselves.
  toNode?(item: never, parent: never, ctx: ResolverContext): unknown;
  // The list comes in descending id order (newest first).
  descending?: boolean;
}

const iso = isoSeconds;

// ---------------------------------------------------------------------------------------------- search fields
const productSearch: SearchFields<ProductRecord> = {
  id: { kind: "number", get: (p) => p.id },
  updated_at: { kind: "date", get: (p) => p.updatedAt },
  created_at: { kind: "date", get: (p) => p.createdAt },
  status: { kind: "text", get: (p) => p.status },
  vendor: { kind: "text", get: (p) => p.vendor },
  product_type: { kind: "text", get: (p) => p.productType },
  title: { kind: "text", get: (p) => p.title },
  handle: { kind: "text", get: (p) => p.handle },
  tag: { kind: "text", get: (p) => p.tags },
  sku: { kind: "text", get: (p) => p.variants.map((v) => v.sku ?? "") },
};

const variantSearch = (shop: ShopState): SearchFields<VariantRecord> => ({
  id: { kind: "number", get: (v) => v.id },
  updated_at: { kind: "date", get: (v) => v.updatedAt },
  created_at: { kind: "date", get: (v) => v.createdAt },
  sku: { kind: "text", get: (v) => v.sku },
  title: { kind: "text", get: (v) => v.title },
  product_id: { kind: "id", get: (v) => v.productId },
  product_status: { kind: "text", get: (v) => shop.products.get(v.productId)?.status },
  inventory_item_id: { kind: "id", get: (v) => v.inventoryItemId },
});

const inventoryItemSearch: SearchFields<VariantRecord> = {
  id: { kind: "number", get: (v) => v.inventoryItemId },
  sku: { kind: "text", get: (v) => v.sku },
  updated_at: { kind: "date", get: (v) => v.inventoryItemUpdatedAt },
  created_at: { kind: "date", get: (v) => v.createdAt },
};

const levelSearch = (location: LocationRecord): SearchFields<VariantRecord> => ({
  updated_at: { kind: "date", get: (v) => v.levels[location.index]?.updatedAt },
  created_at: { kind: "date", get: (v) => v.levels[location.index]?.createdAt },
  inventory_item_id: { kind: "id", get: (v) => v.inventoryItemId },
});

const bulkSearch: SearchFields<BulkOperationRecord> = {
  id: { kind: "number", get: (b) => b.id },
  status: { kind: "text", get: (b) => b.status },
  operation_type: { kind: "text", get: (b) => b.type },
  created_at: { kind: "date", get: (b) => b.createdAt },
};

function filtered<T>(
  items: readonly T[],
  query: unknown,
  fields: SearchFields<T>,
  text?: (item: T) => string,
): readonly T[] {
  if (typeof query !== "string" || !query.trim()) return items;
  const matches = compileSearch(query, fields, text);
  return items.filter(matches);
}

// ---------------------------------------------------------------------------------------------- connections
const INVENTORY_ITEM_LEVELS: ConnectionSource = {
  list: (item: InventoryItemView, _args, ctx) =>
    ctx.shop.locations.filter((l) => levelAt(item.variant, l) !== null).map((l) => inventoryLevelView(item.variant, l)),
  idOf: (level: InventoryLevelView) => level.location.id,
};

export const connectionSources: Record<string, Record<string, ConnectionSource>> = {
  QueryRoot: {
    products: {
      list: (_: never, args, ctx) => filtered(ctx.shop.productList, args.query, productSearch, (p) => p.title),
      idOf: (p: ProductRecord) => p.id,
    },
    productVariants: {
      list: (_: never, args, ctx) =>
        filtered(ctx.shop.variantList, args.query, variantSearch(ctx.shop), (v) => v.title),
      idOf: (v: VariantRecord) => v.id,
    },
    inventoryItems: {
      list: (_: never, args, ctx) =>
        filtered(ctx.shop.variantList, args.query, inventoryItemSearch, (v) => v.sku ?? ""),
      idOf: (v: VariantRecord) => v.inventoryItemId,
      toNode: (v: VariantRecord) => inventoryItemView(v),
    },
    locations: {
      list: (_: never, args, ctx) =>
        filtered(
          ctx.shop.locations.filter((l) => l.isActive || args.includeInactive === true),
          args.query,
          {
            name: { kind: "text", get: (l: LocationRecord) => l.name },
            id: { kind: "number", get: (l: LocationRecord) => l.id },
            // https://shopify.dev/docs/api/admin-graphql/2026-01/queries/locations lists `location_id` among the
            // query's filters.
            location_id: { kind: "number", get: (l: LocationRecord) => l.id },
          },
        ),
      idOf: (l: LocationRecord) => l.id,
    },
    // Shopify lists bulk operations by created_at, newest first, by default ("sortKey ... CREATED_AT", reverse
    // false): the list is kept newest first here, so `reverse: true` gives the oldest first, as in Shopify.
    bulkOperations: {
      list: (_: never, args, ctx) => filtered([...ctx.shop.bulkOperations.values()].reverse(), args.query, bulkSearch),
      idOf: (b: BulkOperationRecord) => b.id,
      descending: true,
    },
    webhookSubscriptions: {
      list: (_: never, args, ctx) =>
        ctx.shop.webhookSubscriptions.filter((w) => {
          const topics = args.topics as string[] | undefined;
          return !topics || topics.includes(w.topic);
        }),
      idOf: (w: WebhookSubscriptionRecord) => w.id,
    },
  },
  Product: {
    variants: {
      list: (product: ProductRecord) => product.variants,
      idOf: (v: VariantRecord) => v.id,
    },
  },
  InventoryItem: {
    // An inventory item belongs to one variant here (Shopify allows several: hence a connection in 2026-01).
    variants: {
      list: (item: InventoryItemView) => [item.variant],
      idOf: (v: VariantRecord) => v.id,
    },
    inventoryLevels: INVENTORY_ITEM_LEVELS,
  },
  Location: {
    // Only the items stocked at the location have a level there.
    inventoryLevels: {
      list: (location: LocationRecord, args, ctx) =>
        filtered(
          ctx.shop.variantList.filter((v) => levelAt(v, location) !== null),
          args.query,
          levelSearch(location),
        ),
      idOf: (v: VariantRecord) => v.inventoryItemId,
      toNode: (v: VariantRecord, location: LocationRecord) => inventoryLevelView(v, location),
    },
  },
};

// ---------------------------------------------------------------------------------------------- lookups
export function findNode(ctx: ResolverContext, id: string): unknown {
  const parsed = parseGid(id);
  if (!parsed) return null;
  const { shop } = ctx;
  switch (parsed.type) {
    case "Product":
      return shop.products.get(parsed.id) ?? null;
    case "ProductVariant":
      return shop.variants.get(parsed.id) ?? null;
    case "InventoryItem": {
      const variant = shop.variantsByInventoryItem.get(parsed.id);
      return variant ? inventoryItemView(variant) : null;
    }
    case "Location":
      return shop.locations.find((l) => l.id === parsed.id) ?? null;
    case "InventoryLevel": {
      const location = shop.locations.find((l) => l.id === parsed.id);
      const variant = shop.variantsByInventoryItem.get(Number(parsed.params.get("inventory_item_id")));
      return location && variant && levelAt(variant, location) ? inventoryLevelView(variant, location) : null;
    }
    case "BulkOperation":
      return shop.bulkOperations.get(parsed.id) ?? null;
    case "WebhookSubscription":
      return shop.webhookSubscriptions.find((w) => w.id === parsed.id) ?? null;
    default:
      return null;
  }
}

function typedNode(ctx: ResolverContext, id: unknown, kind: string): unknown {
  const node = findNode(ctx, String(id)) as { kind?: string } | null;
  return node && node.kind === kind ? node : null;
}

// on_hand = available + committed (+ the states the emulator keeps at 0: reserved, damaged, ...).
function quantityNamed(level: { quantity: number; committed: number }, name: string): number {
  if (name === "available") return level.quantity;
  if (name === "committed") return level.committed;
  if (name === "on_hand") return level.quantity + level.committed;
  return 0;
}

const QUANTITY_NAMES = new Set([
  "available",
  "incoming",
  "committed",
  "damaged",
  "on_hand",
  "quality_control",
  "reserved",
  "safety_stock",
]);

// ---------------------------------------------------------------------------------------------- fields
export const fieldResolvers: Record<string, Record<string, FieldFn>> = {
  QueryRoot: {
    shop: (_: never, _args, ctx) => ctx.shop,
    product: (_: never, args, ctx) => typedNode(ctx, args.id, "Product"),
    productVariant: (_: never, args, ctx) => typedNode(ctx, args.id, "ProductVariant"),
    inventoryItem: (_: never, args, ctx) => typedNode(ctx, args.id, "InventoryItem"),
    inventoryLevel: (_: never, args, ctx) => typedNode(ctx, args.id, "InventoryLevel"),
    location: (_: never, args, ctx) => (args.id == null ? ctx.shop.locations[0] : typedNode(ctx, args.id, "Location")),
    node: (_: never, args, ctx) => findNode(ctx, String(args.id)),
    nodes: (_: never, args, ctx) => (args.ids as string[]).map((id) => findNode(ctx, id)),
    bulkOperation: (_: never, args, ctx) => typedNode(ctx, args.id, "BulkOperation"),
    currentBulkOperation: (_: never, args, ctx) => {
      const type = (args.type as string | undefined) ?? "QUERY";
      const ops = [...ctx.shop.bulkOperations.values()].filter((op) => op.type === type);
      return ops.at(-1) ?? null;
    },
  },
  Mutation: {
    bulkOperationRunQuery: (_: never, args, ctx) => ctx.bulk.runQuery(ctx.shop, String(args.query)),
    bulkOperationCancel: (_: never, args, ctx) => ctx.bulk.cancel(ctx.shop, String(args.id)),
    webhookSubscriptionCreate: (_: never, args, ctx) => {
      const input = args.webhookSubscription as { uri?: string; callbackUrl?: string };
      const uri = input.uri ?? input.callbackUrl;
      if (!uri)
        return {
          webhookSubscription: null,
          userErrors: [{ field: ["webhookSubscription", "uri"], message: "Address can't be blank" }],
        };
      const now = ctx.store.nowMs();
      const record: WebhookSubscriptionRecord = {
        kind: "WebhookSubscription",
        id: ctx.store.ids.allocate("WebhookSubscription"),
        topic: String(args.topic),
        uri,
        createdAt: now,
        updatedAt: now,
      };
      ctx.shop.webhookSubscriptions.push(record);
      return { webhookSubscription: record, userErrors: [] };
    },
    webhookSubscriptionDelete: (_: never, args, ctx) => {
      const id = numericId(String(args.id), "WebhookSubscription");
      const before = ctx.shop.webhookSubscriptions.length;
      ctx.shop.webhookSubscriptions = ctx.shop.webhookSubscriptions.filter((w) => w.id !== id);
      return before === ctx.shop.webhookSubscriptions.length
        ? {
            deletedWebhookSubscriptionId: null,
            userErrors: [{ field: ["id"], message: "Webhook subscription does not exist" }],
          }
        : { deletedWebhookSubscriptionId: args.id, userErrors: [] };
    },
  },
  Shop: {
    id: (s: ShopState) => gid("Shop", s.id),
    name: (s: ShopState) => s.name,
    myshopifyDomain: (s: ShopState) => s.domain,
    email: (s: ShopState) => s.email,
    contactEmail: (s: ShopState) => s.email,
    currencyCode: (s: ShopState) => s.currencyCode,
    ianaTimezone: (s: ShopState) => s.ianaTimezone,
    timezoneAbbreviation: () => "EST",
    url: (s: ShopState) => `https://${s.domain}`,
    primaryDomain: (s: ShopState) => ({
      id: gid("Domain", s.id),
      host: s.domain,
      url: `https://${s.domain}`,
      sslEnabled: true,
    }),
    plan: (s: ShopState) => ({
      displayName: s.plan.displayName,
      publicDisplayName: s.plan.displayName,
      partnerDevelopment: false,
      shopifyPlus: s.plan.shopifyPlus,
    }),
  },
  Product: {
    id: (p: ProductRecord) => gid("Product", p.id),
    legacyResourceId: (p: ProductRecord) => String(p.id),
    createdAt: (p: ProductRecord) => iso(p.createdAt),
    updatedAt: (p: ProductRecord) => iso(p.updatedAt),
    publishedAt: (p: ProductRecord) => (p.status === "ACTIVE" ? iso(p.createdAt) : null),
    totalInventory: (p: ProductRecord) => totalInventory(p),
    tracksInventory: () => true,
    hasOnlyDefaultVariant: (p: ProductRecord) => p.variants.length === 1 && p.variants[0].title === "Default Title",
    variantsCount: (p: ProductRecord) => ({ count: p.variants.length, precision: "EXACT" }),
    onlineStoreUrl: () => null,
  },
  ProductVariant: {
    id: (v: VariantRecord) => gid("ProductVariant", v.id),
    legacyResourceId: (v: VariantRecord) => String(v.id),
    createdAt: (v: VariantRecord) => iso(v.createdAt),
    updatedAt: (v: VariantRecord) => iso(v.updatedAt),
    displayName: (v: VariantRecord, _args, ctx) => `${ctx.shop.products.get(v.productId)?.title ?? ""} - ${v.title}`,
    inventoryQuantity: (v: VariantRecord) => variantInventory(v),
    inventoryPolicy: (v: VariantRecord) => v.inventoryPolicy,
    availableForSale: (v: VariantRecord) => !v.tracked || v.inventoryPolicy === "CONTINUE" || variantInventory(v) > 0,
    inventoryItem: (v: VariantRecord) => inventoryItemView(v),
    product: (v: VariantRecord, _args, ctx) => ctx.shop.products.get(v.productId) ?? null,
  },
  InventoryItem: {
    id: (i: InventoryItemView) => gid("InventoryItem", i.variant.inventoryItemId),
    legacyResourceId: (i: InventoryItemView) => String(i.variant.inventoryItemId),
    sku: (i: InventoryItemView) => i.variant.sku,
    tracked: (i: InventoryItemView) => i.variant.tracked,
    requiresShipping: () => true,
    createdAt: (i: InventoryItemView) => iso(i.variant.createdAt),
    updatedAt: (i: InventoryItemView) => iso(i.variant.inventoryItemUpdatedAt),
    variant: (i: InventoryItemView) => i.variant,
    inventoryLevel: (i: InventoryItemView, args, ctx) => {
      const id = numericId(String(args.locationId), "Location");
      const location = ctx.shop.locations.find((l) => l.id === id);
      return location && levelAt(i.variant, location) ? inventoryLevelView(i.variant, location) : null;
    },
  },
  InventoryLevel: {
    id: (l: InventoryLevelView) => inventoryLevelGid(l.location.id, l.variant.inventoryItemId),
    createdAt: (l: InventoryLevelView) => iso(levelOf(l).createdAt),
    updatedAt: (l: InventoryLevelView) => iso(levelOf(l).updatedAt),
    canDeactivate: () => false,
    item: (l: InventoryLevelView) => inventoryItemView(l.variant),
    location: (l: InventoryLevelView) => l.location,
    quantities: (l: InventoryLevelView, args) => {
      const names = args.names as string[];
      const unknown = names.filter((n) => !QUANTITY_NAMES.has(n));
      if (unknown.length > 0)
        throw new GraphQLError(`Invalid quantity name(s): ${unknown.join(", ")}`, {
          extensions: { code: "BAD_REQUEST" },
        });
      const level = levelOf(l);
      return names.map((name) => ({
        id: `gid://shopify/InventoryQuantity/${l.location.id}?inventory_item_id=${l.variant.inventoryItemId}&name=${name}`,
        name,
        quantity: quantityNamed(level, name),
        updatedAt: iso(level.updatedAt),
      }));
    },
  },
  Location: {
    id: (l: LocationRecord) => gid("Location", l.id),
    legacyResourceId: (l: LocationRecord) => String(l.id),
    isPrimary: (l: LocationRecord) => l.index === 0,
    fulfillsOnlineOrders: () => true,
    createdAt: (l: LocationRecord) => iso(l.createdAt),
    updatedAt: (l: LocationRecord) => iso(l.updatedAt),
    inventoryLevel: (l: LocationRecord, args, ctx) => {
      const variant = ctx.shop.variantsByInventoryItem.get(
        numericId(String(args.inventoryItemId), "InventoryItem") ?? -1,
      );
      return variant && levelAt(variant, l) ? inventoryLevelView(variant, l) : null;
    },
  },
  BulkOperation: {
    id: (b: BulkOperationRecord) => gid("BulkOperation", b.id),
    createdAt: (b: BulkOperationRecord) => iso(b.createdAt),
    completedAt: (b: BulkOperationRecord) => (b.completedAt === null ? null : iso(b.completedAt)),
    objectCount: (b: BulkOperationRecord) => String(b.objectCount),
    rootObjectCount: (b: BulkOperationRecord) => String(b.rootObjectCount),
    fileSize: (b: BulkOperationRecord) => (b.fileSize === null ? null : String(b.fileSize)),
    url: (b: BulkOperationRecord, _args, ctx) => ctx.bulk.publicUrl(b, "data"),
    partialDataUrl: (b: BulkOperationRecord, _args, ctx) => ctx.bulk.publicUrl(b, "partial"),
  },
  WebhookSubscription: {
    id: (w: WebhookSubscriptionRecord) => gid("WebhookSubscription", w.id),
    legacyResourceId: (w: WebhookSubscriptionRecord) => String(w.id),
    callbackUrl: (w: WebhookSubscriptionRecord) => w.uri,
    createdAt: (w: WebhookSubscriptionRecord) => iso(w.createdAt),
    updatedAt: (w: WebhookSubscriptionRecord) => iso(w.updatedAt),
    format: () => "JSON",
    includeFields: () => [],
    metafieldNamespaces: () => [],
    metafields: () => [],
    filter: () => null,
    endpoint: (w: WebhookSubscriptionRecord) => ({ kind: "WebhookHttpEndpoint", callbackUrl: w.uri }),
    apiVersion: () => ({ handle: SHOPIFY_API_VERSION, displayName: SHOPIFY_API_VERSION, supported: true }),
  },
};

// ---------------------------------------------------------------------------------------------- graphql-js glue
export const fieldResolver: GraphQLFieldResolver<unknown, ResolverContext> = (source, args, ctx, info) => {
  const typeName = info.parentType.name;
  const connection = connectionSources[typeName]?.[info.fieldName];
  if (connection) {
    const items = connection.list(source as never, args, ctx);
    const page = paginate(
      items,
      args as ConnectionArgs,
      (item) => connection.idOf(item as never),
      connection.descending,
    );
    if (!connection.toNode) return page;
    const toNode = connection.toNode;
    const nodes = page.nodes.map((item) => toNode(item as never, source as never, ctx));
    return { ...page, nodes, edges: page.edges.map((edge, i) => ({ cursor: edge.cursor, node: nodes[i] })) };
  }
  const resolve = fieldResolvers[typeName]?.[info.fieldName];
  if (resolve) return resolve(source as never, args, ctx);
  if (source !== null && typeof source === "object" && info.fieldName in source) {
    return (source as Record<string, unknown>)[info.fieldName];
  }
  return undefined;
};

export const typeResolver: GraphQLTypeResolver<unknown, ResolverContext> = (value) => {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return typeof kind === "string" ? kind : undefined;
};
