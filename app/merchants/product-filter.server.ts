import type { ProductStatus } from "@prisma/client";
import { z } from "zod";
import { userText } from "~/lib/user-text";
import { selectedProductSql } from "./selection.server";

// The filter of the selection page (search, status, selected or not), as one SQL condition. The page's list, its
// counts and "select all N matching" all use it, so what the merchant sees is exactly what a bulk action changes.

export const PRODUCT_STATUSES = ["ACTIVE", "DRAFT", "ARCHIVED", "UNLISTED"] as const satisfies readonly ProductStatus[];

/** The filter as an action sends it ("select all matching"): a value that does not parse is a 400, never "all". */
export const productFilterSchema = z.object({
  query: userText(200)
    .optional()
    .transform((q) => (q ? q : undefined)),
  status: z.enum(PRODUCT_STATUSES).optional(),
  selection: z.enum(["selected", "not_selected"]).optional(),
});

/** The same filter in the page's URL, where anything that does not parse falls back to no filter (the default view). */
export const productFilterQuery = z.object({
  query: productFilterSchema.shape.query.catch(undefined),
  status: productFilterSchema.shape.status.catch(undefined),
  selection: productFilterSchema.shape.selection.catch(undefined),
});
export type ProductFilter = z.infer<typeof productFilterSchema>;

/** Escapes LIKE's wildcards so a search for "50%" finds "50%", not everything starting with "50". */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The WHERE condition for `filter` over `product p JOIN merchant_connection c`, always limited to `shop` and to
 * products not deleted. Values are passed as parameters appended to `params` (the caller's earlier ones keep their
 * numbers).
 */
export function productFilterSql(shop: string, filter: ProductFilter, params: unknown[]): string {
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions = [`p.shop = ${param(shop)}`, "p.deleted_at IS NULL"];
  if (filter.query) {
    const pattern = param(likePattern(filter.query));
    conditions.push(`(p.title ILIKE ${pattern} OR p.handle ILIKE ${pattern} OR p.vendor ILIKE ${pattern})`);
  }
  if (filter.status) conditions.push(`p.status = ${param(filter.status)}::"ProductStatus"`);
  if (filter.selection === "selected") conditions.push(selectedProductSql("p", "c"));
  if (filter.selection === "not_selected") conditions.push(`NOT ${selectedProductSql("p", "c")}`);
  return conditions.join(" AND ");
}
