import { gid, inventoryLevelGid } from "./ids";
import {
  levelAt,
  variantInventory,
  type InventoryLevelRecord,
  type LocationRecord,
  type ProductRecord,
  type ShopState,
  type VariantRecord,
} from "./store";
import type { BulkOperationRecord } from "./bulk/bulk-operation-record";

// Webhook bodies as Shopify sends them for 2026-01: REST-style snake_case JSON with numeric ids and
// `admin_graphql_api_id`, timestamps with the shop's UTC offset.

export type WebhookTopic =
  | "products/create"
  | "products/update"
  | "products/delete"
  | "inventory_levels/update"
  | "inventory_levels/connect"
  | "inventory_levels/disconnect"
  | "app/uninstalled"
  | "bulk_operations/finish";

export const WEBHOOK_TOPICS: readonly WebhookTopic[] = [
  "products/create",
  "products/update",
  "products/delete",
  "inventory_levels/update",
  "inventory_levels/connect",
  "inventory_levels/disconnect",
  "app/uninstalled",
  "bulk_operations/finish",
];

// Shopify writes webhook timestamps in the shop's zone with an offset; the emulator's shops are on UTC-05:00.
export function webhookTime(ms: number): string {
  const local = new Date(ms - 5 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, "");
  return `${local}-05:00`;
}

export function productPayload(product: ProductRecord) {
  return {
    admin_graphql_api_id: gid("Product", product.id),
    body_html: product.descriptionHtml,
    created_at: webhookTime(product.createdAt),
    handle: product.handle,
    id: product.id,
    product_type: product.productType,
    published_at: product.status === "ACTIVE" ? webhookTime(product.createdAt) : null,
    template_suffix: null,
    title: product.title,
    updated_at: webhookTime(product.updatedAt),
    vendor: product.vendor,
    status: product.status.toLowerCase(),
    published_scope: "global",
    tags: product.tags.join(", "),
    variants: product.variants.map((variant) => variantPayload(product, variant)),
    options: [
      {
        name: "Title",
        id: product.id + 1,
        product_id: product.id,
        position: 1,
        values: product.variants.map((v) => v.title),
      },
    ],
    images: [],
    image: null,
    media: [],
    variant_gids: product.variants.map((v) => ({
      admin_graphql_api_id: gid("ProductVariant", v.id),
      updated_at: new Date(v.updatedAt).toISOString(),
    })),
    has_variants_that_requires_components: false,
    category: null,
  };
}

function variantPayload(product: ProductRecord, variant: VariantRecord) {
  const quantity = variantInventory(variant);
  return {
    admin_graphql_api_id: gid("ProductVariant", variant.id),
    barcode: variant.barcode,
    compare_at_price: variant.compareAtPrice,
    created_at: webhookTime(variant.createdAt),
    id: variant.id,
    inventory_policy: variant.inventoryPolicy.toLowerCase(),
    position: variant.position,
    price: variant.price,
    product_id: product.id,
    sku: variant.sku ?? "",
    taxable: true,
    title: variant.title,
    updated_at: webhookTime(variant.updatedAt),
    option1: variant.title,
    option2: null,
    option3: null,
    image_id: null,
    inventory_item_id: variant.inventoryItemId,
    inventory_quantity: quantity,
    old_inventory_quantity: quantity,
  };
}

export function productDeletePayload(productId: number) {
  return { id: productId };
}

// inventory_levels/update: `available` is null for an item Shopify does not track.
export function inventoryLevelPayload(variant: VariantRecord, location: LocationRecord) {
  const level = levelAt(variant, location);
  if (!level) throw new Error(`Inventory item ${variant.inventoryItemId} is not stocked at location ${location.id}`);
  return {
    inventory_item_id: variant.inventoryItemId,
    location_id: location.id,
    available: variant.tracked ? level.quantity : null,
    updated_at: webhookTime(level.updatedAt),
    admin_graphql_api_id: inventoryLevelGid(location.id, variant.inventoryItemId),
  };
}

// inventory_levels/connect carries the new level, like an update.
export function inventoryLevelConnectPayload(
  variant: VariantRecord,
  location: LocationRecord,
  level: InventoryLevelRecord,
) {
  return {
    inventory_item_id: variant.inventoryItemId,
    location_id: location.id,
    available: variant.tracked ? level.quantity : null,
    updated_at: webhookTime(level.updatedAt),
    admin_graphql_api_id: inventoryLevelGid(location.id, variant.inventoryItemId),
  };
}

// inventory_levels/disconnect names the level that no longer exists.
export function inventoryLevelDisconnectPayload(variant: VariantRecord, location: LocationRecord) {
  return { inventory_item_id: variant.inventoryItemId, location_id: location.id };
}

export function appUninstalledPayload(shop: ShopState) {
  return {
    id: shop.id,
    name: shop.name,
    email: shop.email,
    domain: shop.domain,
    province: "New York",
    country: "US",
    address1: "1 Emulator Way",
    zip: "10001",
    city: "New York",
    source: null,
    phone: "",
    latitude: null,
    longitude: null,
    primary_locale: "en",
    address2: null,
    created_at: webhookTime(0),
    updated_at: webhookTime(0),
    country_code: "US",
    country_name: "United States",
    currency: shop.currencyCode,
    customer_email: shop.email,
    timezone: "(GMT-05:00) Eastern Time (US & Canada)",
    iana_timezone: shop.ianaTimezone,
    shop_owner: "Emulator Owner",
    money_format: "${{amount}}",
    money_with_currency_format: "${{amount}} USD",
    weight_unit: "kg",
    province_code: "NY",
    taxes_included: false,
    auto_configure_tax_inclusivity: null,
    tax_shipping: null,
    county_taxes: true,
    plan_display_name: shop.plan.displayName,
    plan_name: shop.plan.name.toLowerCase(),
    has_discounts: false,
    has_gift_cards: false,
    myshopify_domain: shop.domain,
    google_apps_domain: null,
    google_apps_login_enabled: null,
    money_in_emails_format: "${{amount}}",
    money_with_currency_in_emails_format: "${{amount}} USD",
    eligible_for_payments: true,
    requires_extra_payments_agreement: false,
    password_enabled: false,
    has_storefront: true,
    finances: true,
    primary_location_id: shop.locations[0]?.id ?? null,
    checkout_api_supported: true,
    multi_location_enabled: shop.locations.length > 1,
    setup_required: false,
    pre_launch_enabled: false,
    enabled_presentment_currencies: [shop.currencyCode],
    marketing_sms_consent_enabled_at_checkout: false,
    transactional_sms_disabled: false,
  };
}

export function bulkOperationFinishPayload(operation: BulkOperationRecord) {
  return {
    admin_graphql_api_id: gid("BulkOperation", operation.id),
    completed_at: operation.completedAt === null ? null : new Date(operation.completedAt).toISOString(),
    created_at: new Date(operation.createdAt).toISOString(),
    error_code: operation.errorCode?.toLowerCase() ?? null,
    status: operation.status.toLowerCase(),
    type: operation.type.toLowerCase(),
  };
}
