import { parseGid, toGid } from "~/shopify-admin/gid";
import type { AdminClient } from "~/shopify-admin/admin-client.server";
import { PRODUCT_IDS_MAX, PRODUCT_IDS_QUERY } from "~/shopify-admin/operations";
import type { ShopifyProductLookup } from "./change-selection.server";

/** A ShopifyProductLookup backed by the Admin API, asked with the merchant's own token (see selectProducts). */
export function shopifyProductLookup(admin: Pick<AdminClient, "request">): ShopifyProductLookup {
  return async (productIds) => {
    const found: bigint[] = [];
    for (let i = 0; i < productIds.length; i += PRODUCT_IDS_MAX) {
      const ids = productIds.slice(i, i + PRODUCT_IDS_MAX).map((id) => toGid("Product", id));
      const { nodes } = await admin.request(PRODUCT_IDS_QUERY, { ids });
      for (const node of nodes) {
        const gid = parseGid(node?.id);
        if (gid?.type === "Product") found.push(BigInt(gid.id));
      }
    }
    return found;
  };
}
