import { IdAllocator } from "./ids";
import { LeakyBucket } from "./leaky-bucket";
import { resolvePlan, type PlanOption, type ResolvedPlan } from "./plans";
import { FaultQueue } from "./faults";
import type { BulkOperationRecord } from "./bulk/bulk-operation-record";

// The emulator's in-memory data. Times are epoch milliseconds; resolvers format them the way Shopify does.

export type ProductStatus = "ACTIVE" | "DRAFT" | "ARCHIVED" | "UNLISTED";

export interface LocationRecord {
  kind: "Location";
  id: number;
  name: string;
  // Position in ShopState.locations and in every variant's `levels`.
  index: number;
  isActive: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface InventoryLevelRecord {
  // `available`: what can still be sold at the location. An order moves units from available to committed.
  quantity: number;
  committed: number;
  createdAt: number;
  updatedAt: number;
}

export type InventoryPolicy = "DENY" | "CONTINUE";

export interface VariantRecord {
  kind: "ProductVariant";
  id: number;
  productId: number;
  title: string;
  sku: string | null;
  barcode: string | null;
  price: string;
  compareAtPrice: string | null;
  position: number;
  createdAt: number;
  updatedAt: number;
  inventoryItemId: number;
  inventoryItemUpdatedAt: number;
  // InventoryItem.tracked: false means Shopify does not count the item's stock (it sells regardless).
  tracked: boolean;
  // ProductVariant.inventoryPolicy: CONTINUE keeps selling when out of stock.
  inventoryPolicy: InventoryPolicy;
  // One entry per shop location, same order as ShopState.locations; null where the item is not stocked
  // (Shopify has no inventory level there until inventory_levels/connect).
  levels: Array<InventoryLevelRecord | null>;
}

export interface ProductRecord {
  kind: "Product";
  id: number;
  title: string;
  handle: string;
  vendor: string;
  productType: string;
  status: ProductStatus;
  tags: string[];
  descriptionHtml: string;
  createdAt: number;
  updatedAt: number;
  variants: VariantRecord[];
}

export interface WebhookSubscriptionRecord {
  kind: "WebhookSubscription";
  id: number;
  topic: string;
  uri: string;
  createdAt: number;
  updatedAt: number;
}

export interface ShopState {
  id: number;
  domain: string;
  name: string;
  email: string;
  currencyCode: string;
  ianaTimezone: string;
  scopes: string;
  plan: ResolvedPlan;
  bucket: LeakyBucket;
  tokens: Set<string>;
  // Expiring offline tokens: when each stops working (epoch ms on the emulator's clock). Absent: never expires.
  tokenExpiresAt: Map<string, number>;
  locked: boolean;
  locations: LocationRecord[];
  products: Map<number, ProductRecord>;
  // Both sorted by id (ids only grow), so cursors can binary-search.
  productList: ProductRecord[];
  variantList: VariantRecord[];
  variants: Map<number, VariantRecord>;
  variantsByInventoryItem: Map<number, VariantRecord>;
  bulkOperations: Map<number, BulkOperationRecord>;
  webhookSubscriptions: WebhookSubscriptionRecord[];
  faults: FaultQueue;
  stats: ShopStats;
}

export interface ShopStats {
  requests: number;
  throttled: number;
  faultsServed: number;
  pointsSpent: number;
}

export interface CreateShopInput {
  domain: string;
  name?: string;
  plan?: PlanOption;
  accessToken?: string;
  scopes?: string;
  currencyCode?: string;
  // Location names, or how many to create ("Warehouse 1", ...). The first is the primary location.
  locations?: string[] | number;
}

export class EmulatorStore {
  readonly ids = new IdAllocator();
  readonly shops = new Map<string, ShopState>();

  constructor(readonly nowMs: () => number) {}

  createShop(input: CreateShopInput): ShopState {
    const domain = normalizeDomain(input.domain);
    if (this.shops.has(domain)) throw new Error(`Shop ${domain} already exists`);
    const plan = resolvePlan(input.plan);
    const now = this.nowMs();
    const names =
      typeof input.locations === "number"
        ? Array.from({ length: input.locations }, (_, i) => `Warehouse ${i + 1}`)
        : (input.locations ?? ["Main warehouse"]);
    if (names.length === 0) throw new Error("A shop needs at least one location");
    const shop: ShopState = {
      id: this.ids.allocate("Shop"),
      domain,
      name: input.name ?? domain.replace(/\.myshopify\.com$/, ""),
      email: `owner@${domain}`,
      currencyCode: input.currencyCode ?? "USD",
      ianaTimezone: "America/New_York",
      scopes: input.scopes ?? "read_products,read_inventory,read_locations",
      plan,
      bucket: new LeakyBucket(plan, this.nowMs),
      tokens: new Set([input.accessToken ?? `shpat_emulator_${domain.split(".")[0]}`]),
      tokenExpiresAt: new Map(),
      locked: false,
      locations: [],
      products: new Map(),
      productList: [],
      variantList: [],
      variants: new Map(),
      variantsByInventoryItem: new Map(),
      bulkOperations: new Map(),
      webhookSubscriptions: [],
      faults: new FaultQueue(),
      stats: { requests: 0, throttled: 0, faultsServed: 0, pointsSpent: 0 },
    };
    names.forEach((name, index) =>
      shop.locations.push({
        kind: "Location",
        id: this.ids.allocate("Location"),
        name,
        index,
        isActive: true,
        createdAt: now,
        updatedAt: now,
      }),
    );
    this.shops.set(domain, shop);
    return shop;
  }

  shop(domain: string): ShopState {
    const shop = this.shops.get(normalizeDomain(domain));
    if (!shop) throw new Error(`Unknown shop ${domain}`);
    return shop;
  }

  findShop(domain: string): ShopState | undefined {
    return this.shops.get(normalizeDomain(domain));
  }

  addProduct(shop: ShopState, product: ProductRecord): void {
    shop.products.set(product.id, product);
    shop.productList.push(product);
    for (const variant of product.variants) {
      shop.variants.set(variant.id, variant);
      shop.variantsByInventoryItem.set(variant.inventoryItemId, variant);
      shop.variantList.push(variant);
    }
  }

  deleteProduct(shop: ShopState, productId: number): ProductRecord {
    const product = requireProduct(shop, productId);
    shop.products.delete(productId);
    shop.productList = shop.productList.filter((p) => p.id !== productId);
    const variantIds = new Set(product.variants.map((v) => v.id));
    shop.variantList = shop.variantList.filter((v) => !variantIds.has(v.id));
    for (const variant of product.variants) {
      shop.variants.delete(variant.id);
      shop.variantsByInventoryItem.delete(variant.inventoryItemId);
    }
    return product;
  }
}

export function normalizeDomain(domain: string): string {
  return domain
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, "")
    .replace(/\/.*$/, "");
}

export function requireProduct(shop: ShopState, productId: number): ProductRecord {
  const product = shop.products.get(productId);
  if (!product) throw new Error(`Product ${productId} not found in ${shop.domain}`);
  return product;
}

export function requireVariant(shop: ShopState, variantId: number): VariantRecord {
  const variant = shop.variants.get(variantId);
  if (!variant) throw new Error(`Variant ${variantId} not found in ${shop.domain}`);
  return variant;
}

export function requireLocation(shop: ShopState, locationId: number | undefined): LocationRecord {
  if (locationId === undefined) return shop.locations[0];
  const location = shop.locations.find((l) => l.id === locationId);
  if (!location) throw new Error(`Location ${locationId} not found in ${shop.domain}`);
  return location;
}

export function totalInventory(product: ProductRecord): number {
  let total = 0;
  for (const variant of product.variants) total += variantInventory(variant);
  return total;
}

// ProductVariant.inventoryQuantity: "the total sellable quantity of the variant", a sum over every location.
export function variantInventory(variant: VariantRecord): number {
  let total = 0;
  for (const level of variant.levels) total += level?.quantity ?? 0;
  return total;
}

/** The variant's level at the location, or null where the item is not stocked. */
export function levelAt(variant: VariantRecord, location: LocationRecord): InventoryLevelRecord | null {
  return variant.levels[location.index] ?? null;
}

export function newLevel(quantity: number, now: number): InventoryLevelRecord {
  return { quantity, committed: 0, createdAt: now, updatedAt: now };
}
