import { gid, numericId } from "./ids";
import type { Fault, RandomFaults } from "./faults";
import { resolvePlan, type PlanOption } from "./plans";
import { seedProducts, handleize, type SeedInput } from "./seed";
import {
  levelAt,
  newLevel,
  requireLocation,
  requireProduct,
  requireVariant,
  type CreateShopInput,
  type InventoryPolicy,
  type LocationRecord,
  type EmulatorStore,
  type ProductRecord,
  type ProductStatus,
  type ShopState,
  type VariantRecord,
} from "./store";
import type { BulkOperations, BulkTiming } from "./bulk/bulk-operations";
import type { TokenIssuer } from "./token-exchange";
import type { ReleaseOptions, WebhookDelivery, WebhookMode, WebhookSender } from "./webhook-sender";
import { summariseDeliveries, type WebhookSummary } from "./webhook-summary";
import {
  appUninstalledPayload,
  bulkOperationFinishPayload,
  inventoryLevelConnectPayload,
  inventoryLevelDisconnectPayload,
  inventoryLevelPayload,
  productDeletePayload,
  productPayload,
  type WebhookTopic,
} from "./webhook-payloads";

type Id = number | string;

/** What a webhook is about: its topic and the record (product, variant or item at a location, bulk operation) it carries. */
export interface WebhookSubject {
  topic: WebhookTopic;
  productId?: Id;
  variantId?: Id;
  inventoryItemId?: Id;
  locationId?: Id;
  bulkOperationId?: Id;
}

export interface ShopSummary {
  domain: string;
  name: string;
  plan: string;
  accessToken: string;
  locations: Array<{ id: string; legacyResourceId: number; name: string; isPrimary: boolean }>;
  productCount: number;
  variantCount: number;
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
  stats: ShopState["stats"];
  locked: boolean;
}

export interface ProductSnapshot {
  id: string;
  legacyResourceId: number;
  title: string;
  handle: string;
  vendor: string;
  status: ProductStatus;
  updatedAt: string;
  variants: Array<{
    id: string;
    legacyResourceId: number;
    sku: string | null;
    price: string;
    compareAtPrice: string | null;
    updatedAt: string;
    inventoryItemId: string;
    tracked: boolean;
    inventoryPolicy: InventoryPolicy;
    // The locations that stock the item only.
    inventory: Array<{ locationId: string; available: number; committed: number; updatedAt: string }>;
  }>;
}

export interface NewVariantInput {
  title?: string;
  sku?: string | null;
  price?: string;
  compareAtPrice?: string | null;
  // Same quantity at every location that stocks it.
  available?: number;
  // The locations that stock it (ids or gids); default every location of the shop.
  stockedAt?: Id[];
  tracked?: boolean;
  inventoryPolicy?: InventoryPolicy;
}

// Options shared by every change: `notify` also sends the webhook Shopify would send for it.
interface Notify {
  notify?: boolean;
}

// The emulator's control surface. Every method takes one JSON-able object and returns JSON-able data, so the
// HTTP control API is just `POST /__emulator/<method>` with the same object as body.
export function createControl(deps: {
  store: EmulatorStore;
  bulk: BulkOperations;
  tokens: TokenIssuer;
  webhooks: WebhookSender;
}) {
  const { store, bulk, tokens, webhooks } = deps;
  const shopOf = (domain: string) => store.shop(domain);
  const bump = (previous: number) => Math.max(store.nowMs(), previous + 1);

  const summary = (shop: ShopState): ShopSummary => ({
    domain: shop.domain,
    name: shop.name,
    plan: shop.plan.name,
    accessToken: [...shop.tokens][0] ?? "",
    locations: shop.locations.map((l) => ({
      id: gid("Location", l.id),
      legacyResourceId: l.id,
      name: l.name,
      isPrimary: l.index === 0,
    })),
    productCount: shop.productList.length,
    variantCount: shop.variantList.length,
    throttleStatus: shop.bucket.status(),
    stats: { ...shop.stats },
    locked: shop.locked,
  });

  const snapshot = (shop: ShopState, product: ProductRecord): ProductSnapshot => ({
    id: gid("Product", product.id),
    legacyResourceId: product.id,
    title: product.title,
    handle: product.handle,
    vendor: product.vendor,
    status: product.status,
    updatedAt: new Date(product.updatedAt).toISOString(),
    variants: product.variants.map((v) => ({
      id: gid("ProductVariant", v.id),
      legacyResourceId: v.id,
      sku: v.sku,
      price: v.price,
      compareAtPrice: v.compareAtPrice,
      updatedAt: new Date(v.updatedAt).toISOString(),
      inventoryItemId: gid("InventoryItem", v.inventoryItemId),
      tracked: v.tracked,
      inventoryPolicy: v.inventoryPolicy,
      inventory: shop.locations.flatMap((l) => {
        const level = levelAt(v, l);
        return level
          ? [
              {
                locationId: gid("Location", l.id),
                available: level.quantity,
                committed: level.committed,
                updatedAt: new Date(level.updatedAt).toISOString(),
              },
            ]
          : [];
      }),
    })),
  });

  const variantFor = (shop: ShopState, input: { variantId?: Id; inventoryItemId?: Id }): VariantRecord => {
    if (input.variantId !== undefined) return requireVariant(shop, numericId(input.variantId, "ProductVariant") ?? -1);
    const variant = shop.variantsByInventoryItem.get(numericId(input.inventoryItemId ?? "", "InventoryItem") ?? -1);
    if (!variant) throw new Error(`Inventory item ${String(input.inventoryItemId)} not found in ${shop.domain}`);
    return variant;
  };

  const productUpdated = (shop: ShopState, product: ProductRecord, notify: boolean | undefined) => {
    if (notify) void webhooks.send(shop.domain, "products/update", productPayload(product));
  };

  const locationFor = (shop: ShopState, locationId: Id | undefined): LocationRecord =>
    requireLocation(shop, locationId === undefined ? undefined : (numericId(locationId, "Location") ?? -1));

  const control = {
    createShop(input: CreateShopInput): ShopSummary {
      return summary(store.createShop(input));
    },

    listShops(): ShopSummary[] {
      return [...store.shops.values()].map(summary);
    },

    getShop(input: { shop: string }): ShopSummary {
      return summary(shopOf(input.shop));
    },

    seedProducts(input: { shop: string } & SeedInput): { products: number; variants: number } {
      return seedProducts(store, shopOf(input.shop), input);
    },

    getProduct(input: { shop: string; productId: Id }): ProductSnapshot {
      const shop = shopOf(input.shop);
      return snapshot(shop, requireProduct(shop, numericId(input.productId, "Product") ?? -1));
    },

    // The body Shopify would send for this topic now (what sendWebhook sends), for senders of their own: the webhook
    // burst benchmark sends them at a chosen concurrency instead of through the emulator's sender.
    webhookPayload(input: { shop: string } & WebhookSubject): unknown {
      return buildPayload(shopOf(input.shop), input);
    },

    // The first `limit` products in id order, for tests that need real ids to change.
    listProducts(input: { shop: string; limit?: number; offset?: number }): ProductSnapshot[] {
      const shop = shopOf(input.shop);
      const offset = input.offset ?? 0;
      return shop.productList.slice(offset, offset + (input.limit ?? 50)).map((p) => snapshot(shop, p));
    },

    createProduct(
      input: {
        shop: string;
        title?: string;
        vendor?: string;
        status?: ProductStatus;
        variants?: NewVariantInput[];
      } & Notify,
    ): ProductSnapshot {
      const shop = shopOf(input.shop);
      const now = store.nowMs();
      const title = input.title ?? `New product ${shop.productList.length + 1}`;
      const product: ProductRecord = {
        kind: "Product",
        id: store.ids.allocate("Product"),
        title,
        handle: handleize(title),
        vendor: input.vendor ?? "Acme Goods",
        productType: "Apparel",
        status: input.status ?? "ACTIVE",
        tags: [],
        descriptionHtml: "",
        createdAt: now,
        updatedAt: now,
        variants: [],
      };
      (input.variants ?? [{}]).forEach((v, i) =>
        product.variants.push({
          kind: "ProductVariant",
          id: store.ids.allocate("ProductVariant"),
          productId: product.id,
          title: v.title ?? (input.variants && input.variants.length > 1 ? `Option ${i + 1}` : "Default Title"),
          sku: v.sku === undefined ? `NEW-${product.id}-${i + 1}` : v.sku,
          barcode: null,
          price: v.price ?? "10.00",
          compareAtPrice: v.compareAtPrice ?? null,
          position: i + 1,
          createdAt: now,
          updatedAt: now,
          inventoryItemId: store.ids.allocate("InventoryItem"),
          inventoryItemUpdatedAt: now,
          tracked: v.tracked ?? true,
          inventoryPolicy: v.inventoryPolicy ?? "DENY",
          levels: stockedLevels(shop, v, now),
        }),
      );
      store.addProduct(shop, product);
      if (input.notify) void webhooks.send(shop.domain, "products/create", productPayload(product));
      return snapshot(shop, product);
    },

    updateProduct(
      input: {
        shop: string;
        productId: Id;
        title?: string;
        status?: ProductStatus;
        vendor?: string;
        tags?: string[];
      } & Notify,
    ): ProductSnapshot {
      const shop = shopOf(input.shop);
      const product = requireProduct(shop, numericId(input.productId, "Product") ?? -1);
      if (input.title !== undefined) product.title = input.title;
      if (input.status !== undefined) product.status = input.status;
      if (input.vendor !== undefined) product.vendor = input.vendor;
      if (input.tags !== undefined) product.tags = input.tags;
      product.updatedAt = bump(product.updatedAt);
      productUpdated(shop, product, input.notify);
      return snapshot(shop, product);
    },

    updateVariant(
      input: {
        shop: string;
        variantId: Id;
        price?: string;
        compareAtPrice?: string | null;
        sku?: string | null;
        title?: string;
        tracked?: boolean;
        inventoryPolicy?: InventoryPolicy;
      } & Notify,
    ): ProductSnapshot {
      const shop = shopOf(input.shop);
      const variant = requireVariant(shop, numericId(input.variantId, "ProductVariant") ?? -1);
      if (input.price !== undefined) variant.price = input.price;
      if (input.compareAtPrice !== undefined) variant.compareAtPrice = input.compareAtPrice;
      if (input.sku !== undefined) variant.sku = input.sku;
      if (input.title !== undefined) variant.title = input.title;
      if (input.inventoryPolicy !== undefined) variant.inventoryPolicy = input.inventoryPolicy;
      if (input.tracked !== undefined) {
        variant.tracked = input.tracked;
        variant.inventoryItemUpdatedAt = bump(variant.inventoryItemUpdatedAt);
      }
      variant.updatedAt = bump(variant.updatedAt);
      const product = requireProduct(shop, variant.productId);
      // Shopify bumps the product's updatedAt when one of its variants changes.
      product.updatedAt = bump(product.updatedAt);
      productUpdated(shop, product, input.notify);
      return snapshot(shop, product);
    },

    setInventory(
      input: { shop: string; variantId?: Id; inventoryItemId?: Id; locationId?: Id; available: number } & Notify,
    ): { inventoryItemId: string; locationId: string; available: number; updatedAt: string } {
      const shop = shopOf(input.shop);
      const variant = variantFor(shop, input);
      const location = locationFor(shop, input.locationId);
      const level = levelAt(variant, location);
      // Shopify refuses to set a quantity where the item is not stocked: it has to be activated there first.
      if (!level)
        throw new Error(
          `Inventory item ${variant.inventoryItemId} is not stocked at location ${location.id}: connectInventory first`,
        );
      level.quantity = input.available;
      level.updatedAt = bump(level.updatedAt);
      variant.inventoryItemUpdatedAt = bump(variant.inventoryItemUpdatedAt);
      if (input.notify)
        void webhooks.send(shop.domain, "inventory_levels/update", inventoryLevelPayload(variant, location));
      return {
        inventoryItemId: gid("InventoryItem", variant.inventoryItemId),
        locationId: gid("Location", location.id),
        available: level.quantity,
        updatedAt: new Date(level.updatedAt).toISOString(),
      };
    },

    // inventory_levels/connect: the item becomes stocked at the location (inventoryActivate).
    connectInventory(
      input: { shop: string; variantId?: Id; inventoryItemId?: Id; locationId: Id; available?: number } & Notify,
    ): ProductSnapshot {
      const shop = shopOf(input.shop);
      const variant = variantFor(shop, input);
      const location = locationFor(shop, input.locationId);
      if (levelAt(variant, location))
        throw new Error(`Inventory item ${variant.inventoryItemId} is already stocked at location ${location.id}`);
      const level = newLevel(input.available ?? 0, bump(store.nowMs() - 1));
      variant.levels[location.index] = level;
      if (input.notify) {
        void webhooks.send(
          shop.domain,
          "inventory_levels/connect",
          inventoryLevelConnectPayload(variant, location, level),
        );
      }
      return snapshot(shop, requireProduct(shop, variant.productId));
    },

    // inventory_levels/disconnect: the item is no longer stocked at the location (inventoryDeactivate).
    disconnectInventory(
      input: { shop: string; variantId?: Id; inventoryItemId?: Id; locationId: Id } & Notify,
    ): ProductSnapshot {
      const shop = shopOf(input.shop);
      const variant = variantFor(shop, input);
      const location = locationFor(shop, input.locationId);
      if (!levelAt(variant, location))
        throw new Error(`Inventory item ${variant.inventoryItemId} is not stocked at location ${location.id}`);
      variant.levels[location.index] = null;
      if (input.notify) {
        void webhooks.send(
          shop.domain,
          "inventory_levels/disconnect",
          inventoryLevelDisconnectPayload(variant, location),
        );
      }
      return snapshot(shop, requireProduct(shop, variant.productId));
    },

    // An order: each line's quantity moves from `available` to `committed` at the location that fulfils it (the
    // primary by default). Shopify then sends inventory_levels/update per level and products/update per product
    // (the variants' inventory_quantity changed). `bumpsLevelUpdatedAt` (default false) says whether the level's
    // updatedAt moves: Shopify documents no promise that it does, so by default it does not (see the README).
    placeOrder(
      input: {
        shop: string;
        lines: Array<{ variantId: Id; quantity: number; locationId?: Id }>;
        bumpsLevelUpdatedAt?: boolean;
      } & Notify,
    ): { orderId: string } {
      const shop = shopOf(input.shop);
      const touched: Array<{ variant: VariantRecord; location: LocationRecord }> = [];
      const lines = input.lines.map((line) => {
        const variant = requireVariant(shop, numericId(line.variantId, "ProductVariant") ?? -1);
        const location = locationFor(shop, line.locationId);
        const level = levelAt(variant, location);
        if (!level) throw new Error(`Variant ${variant.id} is not stocked at location ${location.id}`);
        if (!Number.isInteger(line.quantity) || line.quantity <= 0)
          throw new Error("An order line needs a positive quantity");
        if (variant.tracked && variant.inventoryPolicy === "DENY" && level.quantity < line.quantity) {
          throw new Error(
            `Variant ${variant.id} has ${level.quantity} available at location ${location.id}: the order is refused`,
          );
        }
        return { variant, location, level, quantity: line.quantity };
      });
      for (const { variant, location, level, quantity } of lines) {
        // An untracked item's quantities are not counted.
        if (!variant.tracked) continue;
        level.quantity -= quantity;
        level.committed += quantity;
        if (input.bumpsLevelUpdatedAt) level.updatedAt = bump(level.updatedAt);
        touched.push({ variant, location });
      }
      if (input.notify) {
        for (const { variant, location } of touched) {
          void webhooks.send(shop.domain, "inventory_levels/update", inventoryLevelPayload(variant, location));
        }
        const products = new Set(lines.map((l) => l.variant.productId));
        for (const productId of products) {
          const product = requireProduct(shop, productId);
          product.updatedAt = bump(product.updatedAt);
          void webhooks.send(shop.domain, "products/update", productPayload(product));
        }
      }
      return { orderId: gid("Order", store.ids.allocate("Order")) };
    },

    deleteProduct(input: { shop: string; productId: Id } & Notify): { deletedProductId: string } {
      const shop = shopOf(input.shop);
      const product = store.deleteProduct(shop, numericId(input.productId, "Product") ?? -1);
      if (input.notify) void webhooks.send(shop.domain, "products/delete", productDeletePayload(product.id));
      return { deletedProductId: gid("Product", product.id) };
    },

    setPlan(input: { shop: string; plan: PlanOption }): ShopSummary {
      const shop = shopOf(input.shop);
      shop.plan = resolvePlan(input.plan);
      shop.bucket.setLimit(shop.plan);
      return summary(shop);
    },

    // Spend points as another app process would, so a test can start from an empty bucket.
    drainBucket(input: { shop: string; points?: number }): ShopSummary["throttleStatus"] {
      const shop = shopOf(input.shop);
      shop.bucket.drain(input.points);
      return shop.bucket.status();
    },

    injectFault(input: { shop: string; fault: Fault }): { pending: ReturnType<ShopState["faults"]["pending"]> } {
      const shop = shopOf(input.shop);
      if (input.fault.kind === "revokeToken") {
        shop.tokens.clear();
        tokens.revokeRefreshTokens(shop.domain);
      } else shop.faults.add(input.fault);
      return { pending: shop.faults.pending() };
    },

    setRandomFaults(input: { shop: string } & RandomFaults): { pending: ReturnType<ShopState["faults"]["pending"]> } {
      const shop = shopOf(input.shop);
      shop.faults.setRandom(input);
      return { pending: shop.faults.pending() };
    },

    clearFaults(input: { shop: string }): { pending: ReturnType<ShopState["faults"]["pending"]> } {
      const shop = shopOf(input.shop);
      shop.faults.clear();
      shop.locked = false;
      return { pending: shop.faults.pending() };
    },

    setLocked(input: { shop: string; locked: boolean }): ShopSummary {
      const shop = shopOf(input.shop);
      shop.locked = input.locked;
      return summary(shop);
    },

    revokeTokens(input: { shop: string }): { revoked: number } {
      const shop = shopOf(input.shop);
      const revoked = shop.tokens.size;
      shop.tokens.clear();
      // Refresh tokens go too: a revoked (uninstalled) app cannot refresh its way back in.
      tokens.revokeRefreshTokens(shop.domain);
      return { revoked };
    },

    // The hour of the shop's expiring offline tokens is up now, without moving the clock: each stops working (401)
    // as it would 3,600 s after it was issued; the refresh tokens still work (Shopify's "Expiring offline tokens").
    expireAccessTokens(input: { shop: string }): { expired: number } {
      const shop = shopOf(input.shop);
      const now = store.nowMs();
      let expired = 0;
      for (const [token, expiresAt] of shop.tokenExpiresAt) {
        if (expiresAt <= now) continue;
        shop.tokenExpiresAt.set(token, now);
        expired++;
      }
      return { expired };
    },

    addAccessToken(input: { shop: string; token: string }): ShopSummary {
      const shop = shopOf(input.shop);
      shop.tokens.add(input.token);
      return summary(shop);
    },

    // For the authorization-code grant: the code Shopify would append to the app's redirect URL.
    issueAuthCode(input: { shop: string }): { code: string } {
      return { code: tokens.issueAuthCode(shopOf(input.shop)) };
    },

    expireBulkUrls(input: { shop: string; bulkOperationId?: Id }): { expired: number } {
      const shop = shopOf(input.shop);
      const id =
        input.bulkOperationId === undefined ? undefined : (numericId(input.bulkOperationId, "BulkOperation") ?? -1);
      return { expired: bulk.expireUrls(shop, id) };
    },

    // Sends a webhook now. The payload is built from the shop's current data (the product, inventory level,
    // bulk operation or shop named), unless `payload` is given as is.
    sendWebhook(
      input: { shop: string } & WebhookSubject & {
          payload?: unknown;
          eventId?: string;
          webhookId?: string;
        },
    ): Promise<WebhookDelivery> {
      const shop = shopOf(input.shop);
      const payload = input.payload ?? buildPayload(shop, input);
      return webhooks.send(shop.domain, input.topic, payload, { eventId: input.eventId, webhookId: input.webhookId });
    },

    webhookDeliveries(input: { shop?: string; topic?: string } = {}): WebhookDelivery[] {
      return webhooks.deliveries.filter(
        (d) => (!input.shop || d.shop === input.shop) && (!input.topic || d.topic === input.topic),
      );
    },

    // Until no webhook is in flight: each one sent answered 2xx or given up, Shopify's retries included (held
    // ones wait for releaseWebhooks). With Shopify's schedule a failing delivery takes four hours to give up.
    async waitForWebhooks(): Promise<{ delivered: number }> {
      await webhooks.idle();
      return { delivered: webhooks.deliveries.length };
    },

    // What became of the webhooks (of one shop, or all): the counts behind "lost" and "arrived on a retry".
    webhookSummary(input: { shop?: string } = {}): WebhookSummary {
      return summariseDeliveries(webhooks.deliveries.filter((d) => !input.shop || d.shop === input.shop));
    },

    // Bulk files from now on: "grouped" (children after their parent) or "any" (no order, as groupObjects false allows).
    setBulkLineOrder(input: { order: "grouped" | "any" }): { order: "grouped" | "any" } {
      bulk.setLineOrder(input.order);
      return { order: input.order };
    },

    // Slow bulk operations down (or speed them up) from now on, e.g. to hold five of them running.
    setBulkTiming(input: Partial<BulkTiming>): BulkTiming {
      return bulk.setTiming(input);
    },

    // Per shop: deliver webhooks at once (default), drop them, or hold them for releaseWebhooks.
    setWebhookMode(input: { shop: string; mode: WebhookMode }): { shop: string; mode: WebhookMode } {
      const shop = shopOf(input.shop);
      webhooks.setMode(shop.domain, input.mode);
      return { shop: shop.domain, mode: input.mode };
    },

    // Sends held webhooks late, in the order asked (sent, reverse, shuffle), optionally each twice.
    async releaseWebhooks(input: ReleaseOptions = {}): Promise<{ released: number }> {
      const released = await webhooks.release(input);
      return { released: released.length };
    },

    setAppUrl(input: { appUrl?: string }): { appUrl: string | null } {
      webhooks.setAppUrl(input.appUrl);
      return { appUrl: input.appUrl ?? null };
    },

    resetStats(input: { shop: string }): ShopSummary {
      const shop = shopOf(input.shop);
      shop.stats = { requests: 0, throttled: 0, faultsServed: 0, pointsSpent: 0 };
      return summary(shop);
    },
  };

  function buildPayload(shop: ShopState, input: WebhookSubject): unknown {
    switch (input.topic) {
      case "products/create":
      case "products/update":
        return productPayload(requireProduct(shop, numericId(input.productId ?? "", "Product") ?? -1));
      case "products/delete":
        return productDeletePayload(numericId(input.productId ?? "", "Product") ?? -1);
      case "inventory_levels/update": {
        const variant = variantFor(shop, input);
        return inventoryLevelPayload(variant, locationFor(shop, input.locationId));
      }
      case "inventory_levels/connect": {
        const variant = variantFor(shop, input);
        const location = locationFor(shop, input.locationId);
        const level = levelAt(variant, location);
        if (!level)
          throw new Error(`Inventory item ${variant.inventoryItemId} is not stocked at location ${location.id}`);
        return inventoryLevelConnectPayload(variant, location, level);
      }
      case "inventory_levels/disconnect":
        return inventoryLevelDisconnectPayload(variantFor(shop, input), locationFor(shop, input.locationId));
      case "app/uninstalled":
        return appUninstalledPayload(shop);
      case "bulk_operations/finish": {
        const operation = shop.bulkOperations.get(numericId(input.bulkOperationId ?? "", "BulkOperation") ?? -1);
        if (!operation) throw new Error(`Bulk operation ${String(input.bulkOperationId)} not found in ${shop.domain}`);
        return bulkOperationFinishPayload(operation);
      }
    }
  }

  function stockedLevels(shop: ShopState, input: NewVariantInput, now: number) {
    const stocked = input.stockedAt?.map((id) => locationFor(shop, id).id);
    return shop.locations.map((l) => (stocked && !stocked.includes(l.id) ? null : newLevel(input.available ?? 0, now)));
  }

  return control;
}

export type EmulatorControl = ReturnType<typeof createControl>;
export type ControlMethod = keyof EmulatorControl;
