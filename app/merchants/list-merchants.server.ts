import type { ApprovalStatus } from "@prisma/client";
import { z } from "zod";
import { userText } from "~/lib/user-text";
import { getCatalogHealth, type CatalogHealth } from "~/analytics/catalog-health.server";
import { pgPool } from "~/db.server";
import { shopDomain } from "~/jobs/shop-jobs";

// The platform admin's merchants list: pages of 50 in shop-domain order (keyset: `after`/`before` a domain),
// searchable by domain or name, filtered by approval status (pending applications are an operator's queue), with
// each status's count under the search. Catalog health is computed for the page's shops only: every merchant's at
// once reads every catalog (~0.8 s for 200 shops and 600,000 variants), a page reads fifty.

export const APPROVAL_STATUSES = [
  "PENDING",
  "APPROVED",
  "REJECTED",
  "SUSPENDED",
] as const satisfies readonly ApprovalStatus[];
export const MERCHANTS_PAGE_SIZE = 50;

/** The list's query string; anything that does not parse falls back to its default rather than failing. */
export const merchantsQuery = z.object({
  q: userText(100)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
  approval: z.enum(APPROVAL_STATUSES).optional().catch(undefined),
  after: shopDomain.optional().catch(undefined),
  before: shopDomain.optional().catch(undefined),
});
export type MerchantsQuery = z.infer<typeof merchantsQuery>;

export interface MerchantList {
  merchants: CatalogHealth[];
  /** Merchants per approval status under the search (whatever the status filter). */
  counts: Record<ApprovalStatus, number>;
  /** The domain the next page starts after / the previous page ends before; null when there is none. */
  next: string | null;
  previous: string | null;
}

/** A LIKE pattern that finds the text anywhere, with the text's own wildcards taken literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function listMerchants(query: MerchantsQuery): Promise<MerchantList> {
  const db = pgPool();
  const search = query.q ? containsPattern(query.q) : null;
  const searchSql = "($1::text IS NULL OR shop ILIKE $1 OR shop_name ILIKE $1)";
  // `before` walks back from a domain (then the page is flipped); `after` (or neither) walks forward.
  const backwards = !query.after && Boolean(query.before);
  const cursor = query.after ?? query.before ?? null;
  const [{ rows: page }, { rows: grouped }] = await Promise.all([
    db.query<{ shop: string }>(
      `SELECT shop FROM merchant_connection
        WHERE ${searchSql} AND ($2::"ApprovalStatus" IS NULL OR approval_status = $2)
          AND ($3::text IS NULL OR shop ${backwards ? "<" : ">"} $3)
        ORDER BY shop ${backwards ? "DESC" : "ASC"} LIMIT ${MERCHANTS_PAGE_SIZE + 1}`,
      [search, query.approval ?? null, cursor],
    ),
    db.query<{ status: ApprovalStatus; n: number }>(
      `SELECT approval_status AS status, count(*)::int AS n FROM merchant_connection WHERE ${searchSql} GROUP BY 1`,
      [search],
    ),
  ]);

  const more = page.length > MERCHANTS_PAGE_SIZE;
  const shops = page.slice(0, MERCHANTS_PAGE_SIZE).map((row) => row.shop);
  if (backwards) shops.reverse();
  const merchants = shops.length === 0 ? [] : await getCatalogHealth({ shops });
  const counts = { PENDING: 0, APPROVED: 0, REJECTED: 0, SUSPENDED: 0 };
  for (const { status, n } of grouped) counts[status] = n;
  const hasNext = backwards ? true : more;
  const hasPrevious = backwards ? more : cursor !== null;
  return {
    merchants,
    counts,
    next: hasNext ? (shops.at(-1) ?? null) : null,
    previous: hasPrevious ? (shops[0] ?? null) : null,
  };
}
