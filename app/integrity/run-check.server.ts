import type pg from "pg";
import { withTransaction } from "~/db.server";
import { enqueue } from "~/jobs/queue.server";
import { shopJobOptions } from "~/jobs/shop-jobs";
import { TASK } from "~/jobs/task-names";
import type { CheckName, FlagCheck, IntegrityCheck, ProductSyncCheck, RepairCheck } from "./check";
import { bindNamed } from "./named-sql";

// Runs one check as ONE statement: the candidates query, the repair (UPDATE ... FROM candidates) and the findings
// (INSERT ... SELECT from the repair's RETURNING) are CTEs of the same statement, so a repair and its audit record
// commit together or not at all, and nothing is done row by row whatever the shop's size.

export interface CheckRunContext {
  shop: string;
  runId: string;
  now: Date;
  dryRun: boolean;
  staleAfterHours: number;
}

export interface CheckResult {
  check: CheckName;
  action: IntegrityCheck["action"];
  /** Entities the check found (in a dry run: that it would repair or flag). */
  found: number;
  /** Entities repaired (0 in a dry run and for flags). */
  fixed: number;
  /** Findings written as FLAGGED by this run (an entity still flagged from an earlier run is not flagged again). */
  newlyFlagged: number;
  /** Earlier FLAGGED findings of this check that no longer apply, resolved by this run. */
  cleared: number;
  /** Up to SAMPLE_SIZE entity ids, smallest first (bigint ids as strings). */
  sampleIds: string[];
  /** Up to LISTING_SIZE entities with their evidence, for alerts. */
  listing: { id: string; message: string; before: unknown }[];
  durationMs: number;
}

const SAMPLE_SIZE = 20;
const LISTING_SIZE = 100;
/** resolved_by of findings the check itself resolves because their problem went away. */
export const RESOLVED_BY_CHECK = "integrity-check";

interface SummaryRow {
  found: number;
  fixed: number;
  newly_flagged: number;
  cleared: number;
  sample: string[] | null;
  listing: { id: string; message: string; before: unknown }[] | null;
}

// The tail every statement ends with: counts and samples of `found`, computed in the database.
const SUMMARY = `
    (SELECT count(*)::int FROM found) AS found,
    (SELECT ARRAY(SELECT id::text FROM found ORDER BY id LIMIT ${SAMPLE_SIZE})) AS sample,
    (SELECT jsonb_agg(jsonb_build_object('id', s.id::text, 'message', s.message, 'before', s.before))
       FROM (SELECT * FROM found ORDER BY id LIMIT ${LISTING_SIZE}) s) AS listing`;

const INSERT_FINDINGS = `INSERT INTO integrity_finding (run_id, shop, "check", entity_type, entity_id, outcome, before, after, message, created_at)`;

function parameters(check: IntegrityCheck, context: CheckRunContext) {
  return {
    shop: context.shop,
    now: context.now,
    staleAfterHours: context.staleAfterHours,
    runId: context.runId,
    check: check.name,
    entityType: check.entityType,
  };
}

function repairStatement(check: RepairCheck): string {
  return `
    WITH found AS (${check.candidates}),
    repaired AS (
      UPDATE ${check.table} t SET ${check.set}
        FROM found f
       WHERE t.shop = :shop AND t.id = f.id
      RETURNING t.id, to_jsonb(t) AS after),
    findings AS (
      ${INSERT_FINDINGS}
      SELECT :runId, :shop, :check, :entityType, r.id, 'FIXED', f.before, r.after, f.message, :now::timestamptz
        FROM repaired r JOIN found f ON f.id = r.id
      RETURNING entity_id)
    SELECT (SELECT count(*)::int FROM findings) AS fixed, 0 AS newly_flagged, 0 AS cleared, ${SUMMARY}`;
}

/** Dry run of a repair or a product sync: WOULD_FIX findings record what a real run would do; nothing else changes. */
function wouldFixStatement(check: RepairCheck | ProductSyncCheck): string {
  return `
    WITH found AS (${check.candidates}),
    -- executed although the SELECT below does not read it (PostgreSQL runs every data-modifying CTE)
    findings AS (
      ${INSERT_FINDINGS}
      SELECT :runId, :shop, :check, :entityType, f.id, 'WOULD_FIX', f.before, NULL, f.message, :now::timestamptz
        FROM found f
      RETURNING entity_id)
    SELECT 0 AS fixed, 0 AS newly_flagged, 0 AS cleared, ${SUMMARY}`;
}

/**
 * A flag is written once per entity until a person resolves it or it stops applying (then this run resolves it),
 * so a weekly run does not pile up the same finding every week.
 */
function flagStatement(check: FlagCheck): string {
  return `
    WITH found AS (${check.candidates}),
    flagged AS (
      ${INSERT_FINDINGS}
      SELECT :runId, :shop, :check, :entityType, f.id, 'FLAGGED', f.before, NULL, f.message, :now::timestamptz
        FROM found f
       WHERE NOT EXISTS (SELECT 1 FROM integrity_finding o
                          WHERE o.shop = :shop AND o."check" = :check AND o.entity_id = f.id
                            AND o.outcome = 'FLAGGED' AND o.resolved_at IS NULL)
      RETURNING entity_id),
    cleared AS (
      UPDATE integrity_finding o SET resolved_at = :now::timestamptz, resolved_by = '${RESOLVED_BY_CHECK}'
       WHERE o.shop = :shop AND o."check" = :check AND o.outcome = 'FLAGGED' AND o.resolved_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM found f WHERE f.id = o.entity_id)
      RETURNING o.id)
    SELECT 0 AS fixed, (SELECT count(*)::int FROM flagged) AS newly_flagged,
           (SELECT count(*)::int FROM cleared) AS cleared, ${SUMMARY}`;
}

/** A dry run of a flag only counts: flagging changes no data, and the real run writes the flags. */
function countStatement(check: IntegrityCheck): string {
  return `WITH found AS (${check.candidates}) SELECT 0 AS fixed, 0 AS newly_flagged, 0 AS cleared, ${SUMMARY}`;
}

/**
 * The product-sync repair: findings are inserted, then the sync is queued, then the transaction commits. If the
 * queueing fails, no finding claims a repair that did not happen.
 */
function productSyncFindingsStatement(check: ProductSyncCheck): string {
  return `
    WITH found AS (${check.candidates}),
    findings AS (
      ${INSERT_FINDINGS}
      SELECT :runId, :shop, :check, :entityType, f.id, 'FIXED', f.before,
             jsonb_build_object('action', 'product_sync_queued'), f.message || '; queued a product sync', :now::timestamptz
        FROM found f
      RETURNING entity_id)
    SELECT (SELECT count(*)::int FROM findings) AS fixed, 0 AS newly_flagged, 0 AS cleared, ${SUMMARY}`;
}

function statementFor(check: IntegrityCheck, dryRun: boolean): string {
  if (dryRun) return check.action === "flag" ? countStatement(check) : wouldFixStatement(check);
  switch (check.action) {
    case "repair":
      return repairStatement(check);
    case "flag":
      return flagStatement(check);
    case "product-sync":
      return productSyncFindingsStatement(check);
  }
}

async function query(client: pg.PoolClient, check: IntegrityCheck, context: CheckRunContext): Promise<SummaryRow> {
  const { text, values } = bindNamed(statementFor(check, context.dryRun), parameters(check, context));
  const { rows } = await client.query<SummaryRow>(text, values);
  return rows[0];
}

export async function runCheck(check: IntegrityCheck, context: CheckRunContext): Promise<CheckResult> {
  const started = performance.now();
  const summary = await withTransaction(async (client) => {
    const row = await query(client, check, context);
    if (check.action === "product-sync" && !context.dryRun && row.fixed > 0) {
      await enqueue(
        TASK.productSync,
        { shop: context.shop, reason: "follow-up" },
        shopJobOptions(TASK.productSync, context.shop),
      );
    }
    return row;
  });
  return {
    check: check.name,
    action: check.action,
    found: summary.found,
    fixed: summary.fixed,
    newlyFlagged: summary.newly_flagged,
    cleared: summary.cleared,
    sampleIds: summary.sample ?? [],
    listing: summary.listing ?? [],
    durationMs: performance.now() - started,
  };
}
