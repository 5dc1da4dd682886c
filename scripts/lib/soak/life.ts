import type { RunningEmulator } from "../../../emulator";
import type { ProductSnapshot } from "../../../emulator/control";
import { marketplaceQuantity, type ChangeKind, type ChangeLog } from "./changes";
import type { Random } from "./options";
import type { SoakShop } from "./population";

// The shops' life in Shopify while the soak runs: orders, restocks, price edits, title edits, products drafted and
// activated again, products created and deleted, one bulk edit of thousands of products at once and one location's
// stock moved to another location. Every change goes through the emulator's control API with `notify` (Shopify sends
// its webhooks, unless a fault drops or holds them) and is recorded in the change log with what the marketplace must
// then show.

type Variant = ProductSnapshot["variants"][number];

const WEIGHTS: Array<[ChangeKind, number]> = [
  ["order", 30],
  ["restock", 20],
  ["price", 20],
  ["title", 7],
  ["status", 6],
  ["create", 9],
  ["delete", 8],
];
const TOTAL_WEIGHT = WEIGHTS.reduce((sum, [, w]) => sum + w, 0);

const numericOf = (gid: string) => Number(gid.split("/").pop());

export class ShopLife {
  private created = 0;

  constructor(
    private readonly emulator: RunningEmulator,
    private readonly changes: ChangeLog,
    private readonly random: Random,
  ) {}

  private randomProduct(shop: SoakShop): ProductSnapshot | undefined {
    const count = this.emulator.control.getShop({ shop: shop.domain }).productCount;
    if (count === 0) return undefined;
    return this.emulator.control.listProducts({
      shop: shop.domain,
      limit: 1,
      offset: this.random.int(0, count - 1),
    })[0];
  }

  private quantityOf(shop: SoakShop, productId: number, variantId: number) {
    const product = this.emulator.control.getProduct({ shop: shop.domain, productId });
    const variant = product.variants.find((v) => v.legacyResourceId === variantId)!;
    return marketplaceQuantity(variant, shop);
  }

  /** One change of a kind drawn by weight, in a shop drawn at random. */
  oneChange(shops: SoakShop[]): void {
    const shop = this.random.pick(shops);
    let draw = this.random.next() * TOTAL_WEIGHT;
    const kind = WEIGHTS.find(([, w]) => (draw -= w) < 0)?.[0] ?? "order";
    try {
      this.change(shop, kind);
    } catch {
      // A change Shopify refuses (an order beyond the stock, a level not stocked there): life goes on.
    }
  }

  private change(shop: SoakShop, kind: ChangeKind): void {
    const { control } = this.emulator;
    if (kind === "create") {
      const variants = this.random.int(1, 3);
      this.changes.record(
        shop.domain,
        "create",
        () =>
          control.createProduct({
            shop: shop.domain,
            title: `Soak new product ${++this.created}`,
            variants: Array.from({ length: variants }, (_, i) => ({
              title: `Size ${i + 1}`,
              price: `${this.random.int(5, 90)}.00`,
              available: this.random.int(0, 30),
            })),
            notify: true,
          }),
        (product) => [
          {
            fact: "exists",
            productId: product.legacyResourceId,
            variantIds: product.variants.map((v) => v.legacyResourceId),
          },
          ...product.variants.map((v) => ({
            fact: "quantity" as const,
            variantId: v.legacyResourceId,
            quantity: marketplaceQuantity(v, shop),
          })),
        ],
      );
      return;
    }
    const product = this.randomProduct(shop);
    if (!product || product.variants.length === 0) return;
    const productId = product.legacyResourceId;
    const variant: Variant = this.random.pick(product.variants);
    const variantId = variant.legacyResourceId;
    switch (kind) {
      case "delete":
        this.changes.supersedeProduct(
          shop.domain,
          productId,
          product.variants.map((v) => v.legacyResourceId),
        );
        this.changes.record(
          shop.domain,
          "delete",
          () => control.deleteProduct({ shop: shop.domain, productId, notify: true }),
          () => [{ fact: "deleted", productId }],
        );
        return;
      case "title":
        this.changes.record(
          shop.domain,
          "title",
          () =>
            control.updateProduct({
              shop: shop.domain,
              productId,
              title: `${product.title.replace(/ \(edit \d+\)$/, "")} (edit ${this.random.int(1, 999)})`,
              notify: true,
            }),
          (p) => [{ fact: "title", productId, title: p.title }],
        );
        return;
      case "status": {
        const status = product.status === "ACTIVE" ? "DRAFT" : "ACTIVE";
        this.changes.record(
          shop.domain,
          "status",
          () => control.updateProduct({ shop: shop.domain, productId, status, notify: true }),
          () => [{ fact: "listed", productId, listed: status === "ACTIVE" }],
        );
        return;
      }
      case "price": {
        const price = `${this.random.int(3, 200)}.${String(this.random.int(0, 99)).padStart(2, "0")}`;
        const compareAtPrice = this.random.next() < 0.3 ? (Number(price) * 1.25).toFixed(2) : null;
        this.changes.record(
          shop.domain,
          "price",
          () => control.updateVariant({ shop: shop.domain, variantId, price, compareAtPrice, notify: true }),
          (p) => {
            const after = p.variants.find((v) => v.legacyResourceId === variantId)!;
            return [{ fact: "price", variantId, price: after.price, compareAtPrice: after.compareAtPrice }];
          },
        );
        return;
      }
      case "order":
      case "restock": {
        if (variant.inventory.length === 0) return;
        const level = this.random.pick(variant.inventory);
        const locationId = numericOf(level.locationId);
        const make: () => unknown =
          kind === "order" && level.available > 0
            ? () =>
                control.placeOrder({
                  shop: shop.domain,
                  lines: [{ variantId, quantity: this.random.int(1, Math.min(3, level.available)), locationId }],
                  notify: true,
                })
            : () =>
                control.setInventory({
                  shop: shop.domain,
                  variantId,
                  locationId,
                  available: this.random.int(0, 60),
                  notify: true,
                });
        this.changes.record(shop.domain, kind === "order" && level.available > 0 ? "order" : "restock", make, () => [
          { fact: "quantity", variantId, quantity: this.quantityOf(shop, productId, variantId) },
        ]);
        return;
      }
    }
  }

  /** A bulk edit: the first variant of `count` products of the shop repriced at once, one products/update each. */
  bulkEdit(shop: SoakShop, count: number): number {
    const { control } = this.emulator;
    const products = control.listProducts({ shop: shop.domain, limit: count, offset: 0 });
    for (const product of products) {
      const variant = product.variants[0];
      if (!variant) continue;
      const price = (Number(variant.price) + 1).toFixed(2);
      this.changes.record(
        shop.domain,
        "bulk-edit",
        () => control.updateVariant({ shop: shop.domain, variantId: variant.legacyResourceId, price, notify: true }),
        (p) => {
          const after = p.variants.find((v) => v.legacyResourceId === variant.legacyResourceId)!;
          return [
            {
              fact: "price",
              variantId: after.legacyResourceId,
              price: after.price,
              compareAtPrice: after.compareAtPrice,
            },
          ];
        },
      );
    }
    return products.length;
  }

  /** A location's stock reassigned: up to `count` variants stocked at the primary location are deactivated there and
   * their quantity moved to the shop's second location (inventory_levels/disconnect, then connect or update); every
   * fourth move is undone at once. */
  reassignLocationStock(shop: SoakShop, count: number): number {
    const { control } = this.emulator;
    const [primary, other] = shop.locationIds;
    let moved = 0;
    for (let offset = 0; moved < count; offset += 200) {
      const products = control.listProducts({ shop: shop.domain, limit: 200, offset });
      if (products.length === 0) break;
      for (const product of products) {
        for (const variant of product.variants) {
          if (moved >= count) break;
          const atPrimary = variant.inventory.find((l) => numericOf(l.locationId) === primary);
          if (!atPrimary) continue;
          const atOther = variant.inventory.find((l) => numericOf(l.locationId) === other);
          const variantId = variant.legacyResourceId;
          this.changes.record(
            shop.domain,
            "reassign",
            () => {
              control.disconnectInventory({ shop: shop.domain, variantId, locationId: primary, notify: true });
              if (atOther)
                control.setInventory({
                  shop: shop.domain,
                  variantId,
                  locationId: other,
                  available: atOther.available + atPrimary.available,
                  notify: true,
                });
              else
                control.connectInventory({
                  shop: shop.domain,
                  variantId,
                  locationId: other,
                  available: atPrimary.available,
                  notify: true,
                });
            },
            () => [
              { fact: "quantity", variantId, quantity: this.quantityOf(shop, product.legacyResourceId, variantId) },
            ],
          );
          moved++;
          // Every fourth move is undone at once (the merchant picked the wrong location): the item is stocked at the
          // primary again within the second it left it.
          if (moved % 4 === 0) {
            this.changes.record(
              shop.domain,
              "reassign",
              () => {
                control.connectInventory({
                  shop: shop.domain,
                  variantId,
                  locationId: primary,
                  available: atPrimary.available,
                  notify: true,
                });
                if (atOther)
                  control.setInventory({
                    shop: shop.domain,
                    variantId,
                    locationId: other,
                    available: atOther.available,
                    notify: true,
                  });
                else control.disconnectInventory({ shop: shop.domain, variantId, locationId: other, notify: true });
              },
              () => [
                { fact: "quantity", variantId, quantity: this.quantityOf(shop, product.legacyResourceId, variantId) },
              ],
            );
          }
        }
      }
    }
    return moved;
  }
}
