// Builders for bulk-export JSONL in tests, in Shopify's shape (slashes escaped as real files have them).

export function gid(type: string, id: number | string): string {
  return `gid://shopify/${type}/${id}`;
}

function escapeSlashes(json: string): string {
  return json.replace(/\//g, "\\/");
}

export function productLine(id: number, fields: Record<string, unknown> = {}): string {
  return escapeSlashes(
    JSON.stringify({
      id: gid("Product", id),
      title: `Product ${id}`,
      handle: `product-${id}`,
      vendor: "Acme",
      productType: "Apparel",
      status: "ACTIVE",
      tags: ["a", "b"],
      updatedAt: "2026-11-01T10:00:00Z",
      ...fields,
    }),
  );
}

export function variantLine(id: number, productId: number, fields: Record<string, unknown> = {}): string {
  return escapeSlashes(
    JSON.stringify({
      id: gid("ProductVariant", id),
      title: `Variant ${id}`,
      sku: `SKU-${id}`,
      price: "19.99",
      compareAtPrice: null,
      inventoryPolicy: "DENY",
      inventoryItem: { id: gid("InventoryItem", id + 1_000_000), tracked: true },
      updatedAt: "2026-11-01T10:00:00Z",
      ...fields,
      __parentId: gid("Product", productId),
    }),
  );
}

/** The lines as a stream of byte chunks of an awkward size, so lines straddle chunk boundaries. */
export async function* chunked(lines: string[], chunkSize = 7, trailingNewline = true): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(lines.join("\n") + (trailingNewline ? "\n" : ""), "utf8");
  for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
}

/** A catalogue of `products` products with `variantsPer` variants each, variants listed after all products. */
export function catalogue(products: number, variantsPer: number, firstId = 1): string[] {
  const lines: string[] = [];
  for (let p = 0; p < products; p++) lines.push(productLine(firstId + p));
  for (let p = 0; p < products; p++) {
    for (let v = 0; v < variantsPer; v++) lines.push(variantLine((firstId + p) * 100 + v, firstId + p));
  }
  return lines;
}
