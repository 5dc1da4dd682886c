import { z } from "zod";
import type { AdminClient } from "~/shopify-admin/admin-client.server";
import { selectMatchingProducts, selectProducts, setSelectionMode } from "./change-selection.server";
import { productFilterQuery, productFilterSchema } from "./product-filter.server";
import { shopifyProductLookup } from "./shopify-product-lookup.server";

// What the selection page may ask for, parsed from its form or query string, and carrying it out. The shop never
// comes from the request: it is the authenticated session's.

const MAX_IDS_PER_REQUEST = 250;

/** A product id as the page sends it: the numeric id, or the GraphQL id the resource picker returns. */
const productId = z
  .string()
  .trim()
  .regex(/^(?:gid:\/\/shopify\/Product\/)?\d{1,19}$/, "must be a product id such as 123 or gid://shopify/Product/123")
  .transform((value) => BigInt(value.replace(/\D/g, "")));

const productIds = z
  .string()
  .transform((list) => list.split(",").filter((id) => id.trim() !== ""))
  .pipe(z.array(productId).min(1, "choose at least one product").max(MAX_IDS_PER_REQUEST));

export const selectionPageQuery = productFilterQuery.extend({
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

export const selectionRequest = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("select"), ids: productIds }),
  z.object({ intent: z.literal("deselect"), ids: productIds }),
  productFilterSchema.extend({ intent: z.literal("select-matching") }),
  productFilterSchema.extend({ intent: z.literal("deselect-matching") }),
  z.object({ intent: z.literal("mode"), mode: z.enum(["ALL", "CHOSEN"]) }),
]);
export type SelectionRequest = z.infer<typeof selectionRequest>;

/** Carries out one request of the selection page; returns the sentence shown to the merchant. */
export async function applySelectionRequest({
  shop,
  request,
  admin,
}: {
  shop: string;
  request: SelectionRequest;
  /** The merchant's Admin API client: proves that ids not synced yet are theirs. */
  admin: Pick<AdminClient, "request">;
}): Promise<string> {
  switch (request.intent) {
    case "select":
    case "deselect": {
      const selected = request.intent === "select";
      const result = await selectProducts({
        shop,
        productIds: request.ids,
        selected,
        lookUpInShopify: shopifyProductLookup(admin),
      });
      const waiting = result.awaitingSync.length;
      return (
        `${selected ? "Listed" : "Removed"} ${result.updated} product(s)` +
        (waiting
          ? `; ${waiting} more will appear ${result.syncRequested ? "after the sync that was just started" : "once your shop is approved and synced"}`
          : "")
      );
    }
    case "select-matching":
    case "deselect-matching": {
      const { intent, ...filter } = request;
      const selected = intent === "select-matching";
      const { updated } = await selectMatchingProducts({ shop, filter, selected });
      return `${selected ? "Listed" : "Removed"} all ${updated} matching product(s)`;
    }
    case "mode": {
      const { listed } = await setSelectionMode({ shop, mode: request.mode });
      return request.mode === "ALL"
        ? `All your products are listed, including new ones (${listed} listed now)`
        : `Only the products you choose are listed (${listed} listed now)`;
    }
  }
}
