// Which products a merchant lists on the marketplace, stated once. The sync, inventory and integrity jobs and the
// selection page all read the selection through these fragments, never by re-deriving it:
//
//   selected = connection.selection_mode = 'ALL'  (every product, including ones created later)
//              OR product.selected                (the merchant chose it)
//   listed   = selected AND status = 'ACTIVE' AND not deleted   (what the marketplace shows; kept in product.listed)
//
// SQL predicates rather than lists of ids: they join, so an empty selection is simply no rows (never `IN ()`), and
// they scale to shops of any size. Aliases are code, never user input.

/**
 * The predicate "product `product` is selected by connection `connection`", for SQL that joins `product` and
 * `merchant_connection` under those aliases (defaults `p` and `c`).
 */
export function selectedProductSql(product = "p", connection = "c"): string {
  return `(${connection}.selection_mode = 'ALL' OR ${product}.selected)`;
}

/**
 * What `product.listed` must equal, given the selection: selected, ACTIVE in Shopify and not deleted. Every writer
 * of `selected` or `selection_mode` sets `listed` from this in the same statement. An UPDATE that also sets
 * `selected` passes its new value as `chosen` (e.g. "$3::boolean"): inside an UPDATE, p.selected reads the old one.
 */
export function listedProductSql(product = "p", connection = "c", chosen = `${product}.selected`): string {
  return listingRuleSql({
    listsAll: `${connection}.selection_mode = 'ALL'`,
    chosen,
    status: `${product}.status`,
    deletedAt: `${product}.deleted_at`,
  });
}

/**
 * The listing rule itself, over any SQL expressions, for writers that do not read the product and connection rows
 * directly (the bulk merge reads the incoming status from `excluded` and the selection mode from a parameter).
 */
export function listingRuleSql(parts: { listsAll: string; chosen: string; status: string; deletedAt: string }): string {
  return `((${parts.listsAll} OR ${parts.chosen}) AND ${parts.status} IS NOT DISTINCT FROM 'ACTIVE' AND ${parts.deletedAt} IS NULL)`;
}

/**
 * A subquery of the ids of `shop`'s selected, not deleted products; `shopParam` names the SQL parameter holding
 * the shop (e.g. "$1"). Usable as `product_id IN (${selectedProductIdsQuery("$1")})`: a subquery, so never `IN ()`.
 */
export function selectedProductIdsQuery(shopParam: string): string {
  return `SELECT p.id FROM product p JOIN merchant_connection c ON c.shop = p.shop
           WHERE p.shop = ${shopParam} AND p.deleted_at IS NULL AND ${selectedProductSql("p", "c")}`;
}
