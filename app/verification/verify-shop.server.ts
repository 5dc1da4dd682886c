import { randomUUID } from "node:crypto";
import { recordSyncEvent } from "~/analytics/record-sync-event.server";
import { prisma } from "~/db.server";
import { env } from "~/env.server";
import { marketplaceLocationIdsOf } from "~/inventory/marketplace-locations.server";
import { primaryLocationOf } from "~/inventory/sync-inventory.server";
import { enqueue } from "~/jobs/queue.server";
import { shopJobOptions } from "~/jobs/shop-jobs";
import { TASK } from "~/jobs/task-names";
import { isSchedulable } from "~/merchants/schedulable";
import type { AdminClient } from "~/shopify-admin/admin-client.server";
import { VERIFY_VARIANTS_MAX, VERIFY_VARIANTS_QUERY, type VerifiedVariantNode } from "~/shopify-admin/operations";
import type { DataOf } from "~/shopify-admin/graphql-document";
import { CostAwarePageSize, isMaxCostExceeded } from "~/shopify-admin/page-size";
import { VerificationBudget, VERIFY_FIRST_REQUEST_IDS } from "./budget";
import { compareVariant, setAsideInFlight, type VerifiedField } from "./compare-variant";
import { recordAndRepair, type Mismatch } from "./repair-mismatches.server";
import { countListedVariants, currentRows, markVerified, sampleSizeFor, selectSample } from "./sample.server";
import { reportTruthMismatchRate } from "./truth-alert.server";
import type { TruthFigure } from "./truth-figure";
import { computeTruthFigure } from "./truth-figure.server";
import { toGid } from "~/shopify-admin/gid";

// One verification run of one shop: the next variants of the rotation (./sample.server.ts) read back from Shopify with
// nodes(ids:), a page at a time within the run's budget (./budget.ts), each compared with the marketplace's row as it
// is when the page is in (./compare-variant.ts); mismatches become findings and are repaired through the normal sync
// paths (./repair-mismatches.server.ts). The run is a VERIFICATION sync event carrying its counts and the shop's truth
// figure (./truth-figure.server.ts), which raises or ends the shop's mismatch-rate alert (./truth-alert.server.ts).

export interface VerifyShopOptions {
  shop: string;
  client: AdminClient;
  now?: () => Date;
  /**
   * Defaults: VERIFICATION_SAMPLE_SIZE, VERIFICATION_BUDGET_SHARE, VERIFICATION_MISMATCH_ALERT_RATE,
   * VERIFICATION_IN_FLIGHT_GRACE_SECONDS (in ms here).
   */
  sampleSize?: number;
  budgetShare?: number;
  alertRate?: number;
  inFlightGraceMs?: number;
}

export interface VerificationResult {
  shop: string;
  runId: string;
  skipped?: "no-connection" | "not-schedulable" | "empty-selection" | "first-inventory-sync-pending";
  listed: number;
  sampleSize: number;
  verified: number;
  mismatched: number;
  byField: Partial<Record<VerifiedField, number>>;
  /** Variants whose only differences were changes in flight (./compare-variant.ts setAsideInFlight): not counted
   * as verified nor mismatched, left first in the rotation so the next run checks them again. */
  inFlight: number;
  quantityUnverified: number;
  requests: number;
  points: { spent: number; allowance: number | null };
  /** The budget ran out before the sample did: the rest go first next run. */
  budgetExhausted: boolean;
  levelsApplied: number;
  productSyncQueued: boolean;
  truth: TruthFigure | null;
  alerted: boolean;
}

export async function verifyShop(options: VerifyShopOptions): Promise<VerificationResult> {
  const started = performance.now();
  const { shop, client } = options;
  const now = options.now ?? (() => new Date());
  const settings = env();
  const result: VerificationResult = {
    shop,
    runId: randomUUID(),
    listed: 0,
    sampleSize: 0,
    verified: 0,
    mismatched: 0,
    byField: {},
    inFlight: 0,
    quantityUnverified: 0,
    requests: 0,
    points: { spent: 0, allowance: null },
    budgetExhausted: false,
    levelsApplied: 0,
    productSyncQueued: false,
    truth: null,
    alerted: false,
  };

  const connection = await prisma.merchantConnection.findUnique({
    where: { shop },
    select: {
      active: true,
      approvalStatus: true,
      syncPaused: true,
      merchantId: true,
      defaultLocationId: true,
      marketplaceLocationIds: true,
      lastInventorySyncAt: true,
    },
  });
  if (!connection) return { ...result, skipped: "no-connection" };
  if (!isSchedulable(connection)) return { ...result, skipped: "not-schedulable" };

  result.listed = await countListedVariants(shop);
  if (result.listed === 0) {
    result.skipped = "empty-selection";
  } else if (connection.lastInventorySyncAt === null) {
    // Before its first inventory sync the marketplace holds no stock of the shop's: every tracked variant would
    // count as a mismatch, and a shop that is merely new would raise the truth alert (the default soak's 11 alerts,
    // raised by verifications that ran while the first bulk inventory reads were still being built).
    result.skipped = "first-inventory-sync-pending";
  } else {
    const assigned = marketplaceLocationIdsOf(connection);
    const locationIds =
      assigned.length > 0 ? assigned : [await primaryLocationOf(shop, connection.defaultLocationId, client)];
    result.sampleSize = sampleSizeFor(result.listed, options.sampleSize ?? settings.VERIFICATION_SAMPLE_SIZE);
    const sample = await selectSample(shop, result.sampleSize);
    const budget = new VerificationBudget(options.budgetShare ?? settings.VERIFICATION_BUDGET_SHARE);
    const pageSize = new CostAwarePageSize(VERIFY_FIRST_REQUEST_IDS, VERIFY_VARIANTS_MAX);
    const requestsBefore = client.stats.requests;
    let costPerId: number | null = null;
    let productSyncNeeded = false;
    const graceMs = options.inFlightGraceMs ?? settings.VERIFICATION_IN_FLIGHT_GRACE_SECONDS * 1000;

    for (let next = 0; next < sample.length;) {
      // As many ids as the page size allows and the budget still holds at the cost Shopify last reported per id.
      const affordable = costPerId === null ? Infinity : budget.affordableUnits(costPerId);
      const size = Math.min(pageSize.current, sample.length - next, affordable);
      if (size < 1) {
        result.budgetExhausted = true;
        break;
      }
      const ids = sample.slice(next, next + size).map((v) => toGid("ProductVariant", v.variantId));
      const spentBefore = client.stats.pointsSpent;
      // Levels applied from this answer are dated when it was asked for: a webhook Shopify emitted after that wins a tie.
      const askedAt = now();
      let data: DataOf<typeof VERIFY_VARIANTS_QUERY>;
      try {
        data = await client.request(VERIFY_VARIANTS_QUERY, { ids });
      } catch (error) {
        // Priced above 1,000 points: ask fewer ids at a time (never fail the run for it).
        if (
          isMaxCostExceeded(error) &&
          pageSize.shrink(size, error.errors.find((e) => e.code === "MAX_COST_EXCEEDED")?.cost)
        )
          continue;
        throw error;
      }
      budget.spend(client.stats.pointsSpent - spentBefore);
      budget.observe(client.throttleStatus());
      const requested = client.lastRequestedCost();
      pageSize.observe(size, requested);
      if (requested !== null) costPerId = requested / size;

      const page = sample.slice(next, next + size);
      next += size;
      const readAt = now();
      // Compared with the rows as they are now, not as sampled: a webhook applied meanwhile is not a mismatch.
      const rows = await currentRows(
        shop,
        page.map((v) => v.variantId),
      );
      const mismatches: Mismatch[] = [];
      const inFlight: bigint[] = [];
      page.forEach((sampled, i) => {
        const row = rows.get(sampled.variantId) ?? sampled;
        const found = data.nodes[i];
        const node = found && "id" in found ? (found as VerifiedVariantNode) : null;
        const comparison = compareVariant(row, node, locationIds);
        if (comparison.quantityUnverified) result.quantityUnverified++;
        if (comparison.mismatches.length === 0) return;
        const { counted } = setAsideInFlight(row, node, comparison.mismatches, locationIds, {
          askedAt,
          readAt,
          graceMs,
        });
        if (counted.length === 0) {
          inFlight.push(row.variantId);
          return;
        }
        for (const d of counted) result.byField[d.field] = (result.byField[d.field] ?? 0) + 1;
        mismatches.push({ variantId: row.variantId, inventoryItemId: row.inventoryItemId, node, differences: counted });
      });
      const repaired = await recordAndRepair({
        shop,
        runId: result.runId,
        mismatches,
        locationIds,
        now: readAt,
        observedAt: askedAt,
      });
      result.levelsApplied += repaired.levelsApplied;
      productSyncNeeded ||= repaired.productSyncNeeded;
      result.verified += page.length - inFlight.length;
      result.mismatched += mismatches.length;
      result.inFlight += inFlight.length;
      // In flight stays where it is in the rotation (first), so the next run reads it again.
      const recheck = new Set(inFlight);
      await markVerified(
        shop,
        page.map((v) => v.variantId).filter((id) => !recheck.has(id)),
        readAt,
      );
    }

    if (productSyncNeeded) {
      await enqueue(TASK.productSync, { shop, reason: "follow-up" }, shopJobOptions(TASK.productSync, shop));
      result.productSyncQueued = true;
    }
    result.requests = client.stats.requests - requestsBefore;
    result.points = budget.points;
  }

  const finishedAt = now();
  result.truth = await computeTruthFigure(shop, finishedAt, {
    verified: result.verified,
    mismatched: result.mismatched,
  });
  await recordSyncEvent({
    shop,
    merchantId: connection.merchantId,
    eventType: "VERIFICATION",
    status: "SUCCESS",
    itemCount: result.verified,
    processingTimeMs: performance.now() - started,
    createdAt: finishedAt,
    metadata: {
      runId: result.runId,
      ...(result.skipped ? { skipped: result.skipped } : {}),
      listed: result.listed,
      sampleSize: result.sampleSize,
      verified: result.verified,
      mismatched: result.mismatched,
      byField: result.byField,
      inFlight: result.inFlight,
      quantityUnverified: result.quantityUnverified,
      requests: result.requests,
      pointsSpent: result.points.spent,
      pointsAllowed: result.points.allowance,
      budgetExhausted: result.budgetExhausted,
      levelsApplied: result.levelsApplied,
      productSyncQueued: result.productSyncQueued,
      truth: result.truth,
    },
  });
  const alert = await reportTruthMismatchRate(
    shop,
    result.truth,
    options.alertRate ?? settings.VERIFICATION_MISMATCH_ALERT_RATE,
    finishedAt,
  );
  result.alerted = alert.alerted;
  return result;
}
