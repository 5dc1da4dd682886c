import { mulberry32 } from "./faults";
import type { EmulatorStore, ProductRecord, ProductStatus, ShopState, VariantRecord } from "./store";

export interface SeedInput {
  products: number;
  variantsPerProduct: number;
  seed?: number;
  // Put awkward but legal values in the first products: unicode and slashes in titles, a 255-character title,
  // zero and huge prices, compare-at below price, missing SKUs, negative stock, draft and archived products.
  edgeCases?: boolean;
  // Inclusive range of the random stock per variant and location.
  inventory?: { min: number; max: number };
  // Stock items at some locations only, as real multi-location shops do (see the README).
  partialStocking?: boolean;
}

const ADJECTIVES = [
  "Classic",
  "Organic",
  "Vintage",
  "Modern",
  "Rugged",
  "Featherweight",
  "Heritage",
  "Urban",
  "Coastal",
  "Alpine",
];
const NOUNS = [
  "Tee",
  "Hoodie",
  "Backpack",
  "Mug",
  "Sneaker",
  "Lamp",
  "Notebook",
  "Blanket",
  "Bottle",
  "Jacket",
  "Scarf",
  "Cap",
];
const VENDORS = ["Acme Goods", "Northwind", "Blue Harbor", "Cedar & Pine", "Lumen Co"];
const TYPES = ["Apparel", "Accessories", "Home", "Footwear", "Outdoor"];
const OPTIONS = ["Small", "Medium", "Large", "X-Large", "Red", "Blue", "Green", "Black", "White", "Grey"];
const TAGS = ["new", "sale", "summer", "winter", "bestseller", "eco", "limited"];

const DAY = 86_400_000;

// Deterministic: the same seed, sizes and clock give the same catalogue (ids aside, which depend on what the
// emulator created before).
export function seedProducts(
  store: EmulatorStore,
  shop: ShopState,
  input: SeedInput,
): { products: number; variants: number } {
  const random = mulberry32(input.seed ?? 42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const now = store.nowMs();
  const stock = input.inventory ?? { min: 0, max: 100 };
  const offset = shop.productList.length;
  let variants = 0;

  for (let n = 0; n < input.products; n++) {
    const number = offset + n + 1;
    const createdAt = now - Math.floor(random() * 365 * DAY) - DAY;
    const updatedAt = createdAt + Math.floor(random() * (now - createdAt));
    const title = `${pick(ADJECTIVES)} ${pick(NOUNS)} ${number}`;
    const product: ProductRecord = {
      kind: "Product",
      id: store.ids.allocate("Product"),
      title,
      handle: handleize(title),
      vendor: pick(VENDORS),
      productType: pick(TYPES),
      status: random() < 0.9 ? "ACTIVE" : "DRAFT",
      tags: TAGS.filter(() => random() < 0.2),
      descriptionHtml: `<p>${title}</p>`,
      createdAt,
      updatedAt,
      variants: [],
    };
    for (let position = 1; position <= input.variantsPerProduct; position++) {
      const basePrice = 5 + Math.floor(random() * 19_500) / 100;
      const variant: VariantRecord = {
        kind: "ProductVariant",
        id: store.ids.allocate("ProductVariant"),
        productId: product.id,
        title: input.variantsPerProduct === 1 ? "Default Title" : OPTIONS[(position - 1) % OPTIONS.length],
        sku: `SKU-${number}-${position}`,
        barcode: null,
        price: basePrice.toFixed(2),
        compareAtPrice: random() < 0.2 ? (basePrice * 1.25).toFixed(2) : null,
        position,
        createdAt,
        updatedAt,
        inventoryItemId: store.ids.allocate("InventoryItem"),
        inventoryItemUpdatedAt: updatedAt,
        tracked: true,
        inventoryPolicy: "DENY",
        levels: shop.locations.map((_, index) =>
          // With `partialStocking`, every third variant is not stocked at the shop's last location.
          input.partialStocking && index > 0 && index === shop.locations.length - 1 && variants % 3 === 2
            ? null
            : {
                quantity: stock.min + Math.floor(random() * (stock.max - stock.min + 1)),
                committed: 0,
                createdAt,
                updatedAt,
              },
        ),
      };
      product.variants.push(variant);
      variants++;
    }
    if (input.edgeCases) applyEdgeCase(product, n);
    store.addProduct(shop, product);
  }
  return { products: input.products, variants };
}

function applyEdgeCase(product: ProductRecord, n: number): void {
  const first = product.variants[0];
  const edits: Array<() => void> = [
    () => {
      product.title = `Men's / Women's "Classic" Tee — 🚀 ü`;
      product.handle = `mens-womens-classic-tee-${product.id}`;
      if (first) first.price = "0.00";
    },
    () => {
      product.title = "L".repeat(255);
      if (first) {
        first.price = "99999.99";
        first.compareAtPrice = "10.00";
      }
    },
    () => {
      setStatus(product, "DRAFT");
      if (first) first.sku = null;
    },
    () => {
      setStatus(product, "ARCHIVED");
      product.vendor = "";
      product.tags = [];
      if (first) first.levels.forEach((level) => level && (level.quantity = -3));
    },
    () => {
      product.title = "Back\\slash <b>html</b> & ampersand";
      if (first) first.price = "0.01";
    },
  ];
  edits[n]?.();
}

function setStatus(product: ProductRecord, status: ProductStatus): void {
  product.status = status;
}

export function handleize(title: string): string {
  return title
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}
