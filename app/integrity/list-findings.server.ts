import type { FindingOutcome } from "@prisma/client";
import { z } from "zod";
import { userText } from "~/lib/user-text";
import { pgPool } from "~/db.server";
import { readCursor, type KeysetCursor } from "~/lib/keyset-cursor";
import { keysetPage, keysetSql, type KeysetOrder } from "~/lib/keyset-page.server";
import { TRUTH_MISMATCH_CHECK } from "~/verification/repair-mismatches.server";
import { INTEGRITY_CHECKS } from "./checks";

// The findings page: by shop and check (filters in the URL), unresolved by default, the ones flagged for a person
// first (a repaired finding is a record; a flagged one is work), newest first within each.
//
// Flagged-first is part of one keyset order (app/lib/keyset-page.server.ts), so that Next crosses from the last
// flagged finding to the first of the others with nothing skipped or shown twice. A row comparison runs one way,
// so the group is a rank that sorts first descending, like the rest of the key: 1 for flagged, 0 for the others.
// The default view (unresolved) reads it from a partial index on the same expressions (migration 20261128150000).

export const PAGE_SIZE = 50;

const ORDER: KeysetOrder = {
  key: ["(outcome = 'FLAGGED')::int", "created_at"],
  id: "integrity_finding.id",
  parts: ["int", "epochMs"],
  descending: true,
};
const flaggedRank = (outcome: FindingOutcome) => (outcome === "FLAGGED" ? 1 : 0);

const findingsFilters = z.object({
  shop: userText(255)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
  check: userText(100)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
  resolution: z.enum(["unresolved", "resolved", "all"]).catch("unresolved").default("unresolved"),
});
export type FindingsFilters = z.infer<typeof findingsFilters>;
export type FindingsQuery = FindingsFilters & { cursor: KeysetCursor | null };

/** The page's query string: its filters (garbage falls back to the defaults) and page cursor. */
export function parseFindingsQuery(params: URLSearchParams): FindingsQuery {
  return { ...findingsFilters.parse(Object.fromEntries(params)), cursor: readCursor(params, ORDER.parts).cursor };
}

/** A finding id as a form sends it (a bigint). */
export const findingId = z
  .string()
  .trim()
  .regex(/^\d{1,18}$/, "must be a finding id (digits)");

export interface FindingListItem {
  id: string;
  runId: string;
  shop: string;
  check: string;
  entityType: string;
  entityId: string | null;
  outcome: FindingOutcome;
  message: string | null;
  before: unknown;
  after: unknown;
  createdAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
}

/**
 * The findings page's check filter: the integrity checks' registry (app/integrity/checks) and the verification's
 * (its mismatches are findings too: one place for findings), so a new check is listed without an edit here.
 */
export const FINDING_CHECKS: readonly string[] = [...INTEGRITY_CHECKS.map((c) => c.name), TRUTH_MISMATCH_CHECK].sort();

export async function listFindings({ shop, check, resolution, cursor }: FindingsQuery) {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (shop) conditions.push(`shop = $${params.push(shop)}`);
  if (check) conditions.push(`"check" = $${params.push(check)}`);
  if (resolution !== "all") conditions.push(`resolved_at IS ${resolution === "resolved" ? "NOT NULL" : "NULL"}`);
  const { condition, orderBy } = keysetSql(ORDER, cursor, params);
  if (condition) conditions.push(condition);
  // In SQL rather than Prisma: the keyset is a row comparison over an expression, which Prisma cannot write.
  const [{ rows }, { rows: shops }] = await Promise.all([
    pgPool().query<FindingListItem>(
      `SELECT id::text, run_id AS "runId", shop, "check", entity_type AS "entityType", entity_id::text AS "entityId", outcome,
              message, "before", "after", created_at AS "createdAt", resolved_at AS "resolvedAt", resolved_by AS "resolvedBy"
         FROM integrity_finding
        ${conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : ""}
        ORDER BY ${orderBy}
        LIMIT ${PAGE_SIZE + 1}`,
      params,
    ),
    // The filters' choices: the checks the app runs, and the shops that have findings, found by skipping through
    // the findings' (shop, …) index one shop at a time. Prisma's `distinct` reads every finding (~0.5 s for 200,000).
    pgPool().query<{ shop: string }>(
      `WITH RECURSIVE shops AS (
         (SELECT shop FROM integrity_finding ORDER BY shop LIMIT 1)
         UNION ALL
         SELECT (SELECT f.shop FROM integrity_finding f WHERE f.shop > s.shop ORDER BY f.shop LIMIT 1) FROM shops s WHERE s.shop IS NOT NULL
       )
       SELECT shop FROM shops WHERE shop IS NOT NULL`,
    ),
  ]);
  const page = keysetPage(rows, PAGE_SIZE, cursor, (f) => ({
    key: [flaggedRank(f.outcome), f.createdAt.getTime()],
    id: f.id,
  }));
  return {
    findings: page.rows,
    next: page.next,
    previous: page.previous,
    checks: FINDING_CHECKS,
    shops: shops.map((s) => s.shop),
  };
}
