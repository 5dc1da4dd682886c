import type { RunningEmulator } from "../../../emulator";
import { accepted } from "../../../emulator/webhook-sender";
import type { ProductSnapshot } from "../../../emulator/control";
import { pgPool } from "../../../app/db.server";
import type { SoakShop } from "./population";

// Every change the soak makes in Shopify, what the marketplace must then show, and when it first showed it. A change
// is one fact about one row (a variant's price, its sellable quantity, a product's title, whether it is listed, that
// it exists, that it is gone); a later change of the same fact supersedes an earlier one that had not shown yet (the
// marketplace need never show a state Shopify has already left). Which webhooks a change caused is read from the
// emulator's deliveries: "arrived" when one of them was answered 2xx by the app, at once, on a retry or released late;
// "lost" when each was dropped or given up after Shopify's last retry.

type WebhookDelivery = ReturnType<RunningEmulator["control"]["webhookDeliveries"]>[number];

export type ChangeKind =
  "order" | "restock" | "price" | "title" | "status" | "create" | "delete" | "bulk-edit" | "reassign";

type Expectation =
  | { fact: "price"; variantId: number; price: string; compareAtPrice: string | null }
  | { fact: "quantity"; variantId: number; quantity: number }
  | { fact: "title"; productId: number; title: string }
  | { fact: "listed"; productId: number; listed: boolean }
  | { fact: "exists"; productId: number; variantIds: number[] }
  | { fact: "deleted"; productId: number };

export interface Change {
  id: number;
  shop: string;
  kind: ChangeKind;
  expect: Expectation;
  madeAt: number;
  deliveries: WebhookDelivery[];
  truthAt?: number;
  supersededAt?: number;
  /** The phase in which it first showed: during the life, while it settled, or in the reconciliation cycle. */
  shownIn?: "life" | "settle" | "cycle";
}

const factKey = (shop: string, e: Expectation) =>
  "variantId" in e
    ? `${shop}:${e.fact}:${e.variantId}`
    : `${shop}:${e.fact === "exists" || e.fact === "deleted" || e.fact === "listed" ? "presence" : e.fact}:${e.productId}`;

export const money = (value: string | null | undefined): string | null =>
  value === null || value === undefined ? null : Number(value).toFixed(2);

/** What the marketplace can sell of a variant: its `available` summed over the marketplace's locations that stock it. */
export function marketplaceQuantity(variant: ProductSnapshot["variants"][number], shop: SoakShop): number {
  return variant.inventory
    .filter((level) => shop.marketplaceLocationIds.includes(Number(level.locationId.split("/").pop())))
    .reduce((sum, level) => sum + level.available, 0);
}

export class ChangeLog {
  readonly changes: Change[] = [];
  private readonly pendingByFact = new Map<string, Change>();
  private phase: Change["shownIn"] = "life";

  constructor(private readonly emulator: RunningEmulator) {}

  setPhase(phase: NonNullable<Change["shownIn"]>) {
    this.phase = phase;
  }

  /** Runs `make` (one change in the emulator) and records what it must lead to, with the webhooks it caused. */
  record<T>(shop: string, kind: ChangeKind, make: () => T, expectations: (result: T) => Expectation[]): T {
    const before = this.emulator.control.webhookDeliveries({ shop }).length;
    const result = make();
    const deliveries = this.emulator.control.webhookDeliveries({ shop }).slice(before);
    const madeAt = Date.now();
    for (const expect of expectations(result)) {
      const key = factKey(shop, expect);
      const previous = this.pendingByFact.get(key);
      if (previous && previous.truthAt === undefined) previous.supersededAt = madeAt;
      const change: Change = { id: this.changes.length + 1, shop, kind, expect, madeAt, deliveries };
      this.changes.push(change);
      this.pendingByFact.set(key, change);
    }
    return result;
  }

  /** A product deleted: what was pending about it or its variants can no longer show. */
  supersedeProduct(shop: string, productId: number, variantIds: number[]) {
    const now = Date.now();
    for (const change of this.changes) {
      if (change.shop !== shop || change.truthAt !== undefined || change.supersededAt !== undefined) continue;
      const e = change.expect;
      if (("productId" in e && e.productId === productId) || ("variantId" in e && variantIds.includes(e.variantId)))
        change.supersededAt = now;
    }
  }

  pending(): Change[] {
    return this.changes.filter((c) => c.truthAt === undefined && c.supersededAt === undefined);
  }

  /** Looks at the marketplace's rows for every pending change and dates those that show now. */
  async poll(): Promise<void> {
    const pending = this.pending();
    if (pending.length === 0) return;
    const now = Date.now();
    const byShop = new Map<string, Change[]>();
    for (const change of pending) byShop.set(change.shop, [...(byShop.get(change.shop) ?? []), change]);
    for (const [shop, changes] of byShop) {
      const variantIds = new Set<number>();
      const productIds = new Set<number>();
      for (const { expect: e } of changes) {
        if ("variantId" in e) variantIds.add(e.variantId);
        else productIds.add(e.productId);
        if (e.fact === "exists") e.variantIds.forEach((id) => variantIds.add(id));
      }
      const [variants, products] = await Promise.all([
        pgPool().query<{
          id: string;
          price: string | null;
          compare_at_price: string | null;
          quantity: number;
          deleted: boolean;
          listed: boolean;
        }>(
          `SELECT v.id::text, v.price::text, v.compare_at_price::text, coalesce(v.available_quantity, 0) AS quantity,
                  v.deleted_at IS NOT NULL AS deleted, coalesce(p.listed AND p.deleted_at IS NULL, false) AS listed
             FROM product_variant v LEFT JOIN product p ON p.shop = v.shop AND p.id = v.product_id
            WHERE v.shop = $1 AND v.id = ANY($2::bigint[])`,
          [shop, [...variantIds]],
        ),
        pgPool().query<{ id: string; title: string | null; listed: boolean; deleted: boolean }>(
          "SELECT id::text, title, listed, deleted_at IS NOT NULL AS deleted FROM product WHERE shop = $1 AND id = ANY($2::bigint[])",
          [shop, [...productIds]],
        ),
      ]);
      const variant = new Map(variants.rows.map((r) => [Number(r.id), r]));
      const product = new Map(products.rows.map((r) => [Number(r.id), r]));
      for (const change of changes) {
        if (shows(change.expect, variant, product)) {
          change.truthAt = now;
          change.shownIn = this.phase;
        }
      }
    }
  }
}

type VariantRow = {
  price: string | null;
  compare_at_price: string | null;
  quantity: number;
  deleted: boolean;
  listed: boolean;
};
type ProductRow = { title: string | null; listed: boolean; deleted: boolean };

function shows(e: Expectation, variants: Map<number, VariantRow>, products: Map<number, ProductRow>): boolean {
  switch (e.fact) {
    case "price": {
      const row = variants.get(e.variantId);
      return (
        !!row &&
        !row.deleted &&
        money(row.price) === money(e.price) &&
        money(row.compare_at_price) === money(e.compareAtPrice)
      );
    }
    case "quantity": {
      const row = variants.get(e.variantId);
      return !!row && !row.deleted && row.quantity === e.quantity;
    }
    case "title":
      return products.get(e.productId)?.title === e.title;
    case "listed": {
      const row = products.get(e.productId);
      return !!row && !row.deleted && row.listed === e.listed;
    }
    case "exists": {
      const row = products.get(e.productId);
      return (
        !!row &&
        row.listed &&
        !row.deleted &&
        e.variantIds.every((id) => variants.get(id) && !variants.get(id)!.deleted)
      );
    }
    case "deleted": {
      const row = products.get(e.productId);
      return !row || (row.deleted && !row.listed);
    }
  }
}

/** The changes that touched a row, as the report shows them beside a drifted variant: what happened to it, when
 * (ms after `origin`), which webhooks it caused and what the app answered to them. */
export function historyOf(changes: Change[], shop: string, productId: number, variantId: number, origin: number) {
  return changes
    .filter(
      (c) =>
        c.shop === shop &&
        (("variantId" in c.expect && c.expect.variantId === variantId) ||
          ("productId" in c.expect && c.expect.productId === productId)),
    )
    .map((c) => ({
      kind: c.kind,
      expect: c.expect,
      madeAtMs: c.madeAt - origin,
      shownAtMs: c.truthAt === undefined ? null : c.truthAt - origin,
      shownIn: c.shownIn ?? null,
      superseded: c.supersededAt !== undefined,
      webhooks: c.deliveries.map((d) => ({
        topic: d.topic,
        status: d.status,
        attempts: d.attempts,
        timedOut: d.attemptLog.filter((a) => a.timedOut).length,
        gaveUp: !!d.gaveUp,
        dropped: !!d.dropped,
        triggeredAt: d.triggeredAt,
      })),
    }));
}

/** Whether one of the change's webhooks reached the app and was accepted (2xx): at once, on one of Shopify's retries,
 * or released late. */
export function webhookArrived(change: Change): boolean {
  return change.deliveries.some((d) => !d.dropped && accepted(d.status));
}

/** Arrived, but only on a retry: its first attempt failed (a 5xx, a timeout, a refused connection). */
export function webhookArrivedOnRetry(change: Change): boolean {
  return (
    webhookArrived(change) && !change.deliveries.some((d) => !d.dropped && accepted(d.attemptLog[0]?.status ?? null))
  );
}

/** Lost for good, as Shopify loses a webhook: none arrived, each one dropped or given up after its last retry. A
 * change whose webhook is still being retried (or held) is in flight, not lost. */
export function webhookLost(change: Change): boolean {
  return !webhookArrived(change) && change.deliveries.every((d) => d.dropped || d.gaveUp);
}
