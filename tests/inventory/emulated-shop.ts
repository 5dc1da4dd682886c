import { pgPool } from "../../app/db.server";
import {
  createAdminClient,
  type AdminClient,
  type AdminClientOptions,
} from "../../app/shopify-admin/admin-client.server";
import type { RunningEmulator } from "../../emulator";
import { createTestShop, startTestEmulator } from "../support/emulator";
import { createConnection } from "../support/merchants";

// An emulated Shopify shop (over real HTTP) with its products already in the local database, as the product sync
// would have left them, and the app's Admin client pointed at it.

/** A clock both the emulator and the sync read; `advance` jumps it forward while real time keeps flowing. */
export function adjustableClock() {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance(ms: number) {
      offsetMs += ms;
    },
  };
}

export async function startClockedEmulator(clock: ReturnType<typeof adjustableClock>): Promise<RunningEmulator> {
  return startTestEmulator({ now: clock.now });
}

export interface EmulatedShop {
  shop: string;
  accessToken: string;
  locationId: number;
  /** A second location of the shop, which is not the connection's default. */
  otherLocationId: number;
  client: AdminClient;
}

export async function emulatedShop(
  emulator: RunningEmulator,
  options: {
    domain: string;
    products: number;
    variantsPerProduct?: number;
    plan?: "STANDARD" | "PLUS";
    localQuantity?: number | null;
    clientOptions?: Partial<AdminClientOptions>;
  },
): Promise<EmulatedShop> {
  const summary = createTestShop(emulator, {
    domain: options.domain,
    products: options.products,
    variantsPerProduct: options.variantsPerProduct ?? 2,
    plan: options.plan ?? "PLUS",
    locations: 2,
  });
  const locationId = summary.locations[0].legacyResourceId;
  await createConnection(options.domain, { defaultLocationId: locationId });
  const products = emulator.control.listProducts({ shop: options.domain, limit: options.products });
  const variants = products.flatMap((p) => p.variants.map((v) => ({ ...v, productId: p.legacyResourceId })));
  await pgPool().query(
    `INSERT INTO product (shop, id, title, status, selected, listed, shopify_updated_at)
     SELECT $1, id, 'Product ' || id, 'ACTIVE', true, true, now() FROM unnest($2::bigint[]) AS id`,
    [options.domain, products.map((p) => p.legacyResourceId)],
  );
  await pgPool().query(
    `INSERT INTO product_variant (shop, id, product_id, price, inventory_item_id, available_quantity)
     SELECT $1, v.id, v.product_id, 10, v.item, $5 FROM unnest($2::bigint[], $3::bigint[], $4::bigint[]) AS v(id, product_id, item)`,
    [
      options.domain,
      variants.map((v) => v.legacyResourceId),
      variants.map((v) => v.productId),
      variants.map((v) => Number(v.inventoryItemId.split("/").pop())),
      options.localQuantity === undefined ? null : options.localQuantity,
    ],
  );
  const client = createAdminClient({
    shop: options.domain,
    accessToken: summary.accessToken,
    url: emulator.graphqlUrl(options.domain),
    ...options.clientOptions,
  });
  const otherLocationId = summary.locations[1].legacyResourceId;
  return { shop: options.domain, accessToken: summary.accessToken, locationId, otherLocationId, client };
}

/** What the emulator holds at the location, by variant id. */
export function shopifyQuantities(emulator: RunningEmulator, shop: string, locationId: number, products: number) {
  const quantities = new Map<string, number>();
  for (const product of emulator.control.listProducts({ shop, limit: products })) {
    for (const variant of product.variants) {
      const level = variant.inventory.find((l) => l.locationId === `gid://shopify/Location/${locationId}`);
      if (level) quantities.set(String(variant.legacyResourceId), level.available);
    }
  }
  return quantities;
}

export async function localQuantities(shop: string) {
  const { rows } = await pgPool().query<{ id: string; available_quantity: number | null }>(
    `SELECT id::text, available_quantity FROM product_variant WHERE shop = $1`,
    [shop],
  );
  return new Map(rows.map((r) => [r.id, r.available_quantity]));
}
