import { recentAdminActions } from "~/admin-actions/record-admin-action.server";
import { getCatalogHealth } from "~/analytics/catalog-health.server";
import { prisma } from "~/db.server";
import { RECONCILIATION_HISTORY_DAYS } from "~/components/ReconciliationCorrectionsCard";
import { reconciliationCorrections } from "~/inventory/reconciliation-corrections.server";
import { latestSyncEvents } from "~/monitoring/list-sync-events.server";
import { lastFinishedProductSync, productSyncsInProgress } from "~/sync/product-sync-progress.server";
import { latestTruthFigure } from "~/verification/truth-figure.server";

// One merchant on the admin pages: connection, health, their last sync events and who did what (its queued jobs are
// the worker's, app/worker/job-inspection.server.ts, which the route reads beside this), and
// what the last inventory reconciliation corrected (the measure of what the hourly sync and the webhooks missed), and
// the truth figure of the verification (app/verification).

const RECENT_EVENTS = 20;

export async function loadMerchantAdminDetail(shop: string, now = new Date()) {
  const [health] = await getCatalogHealth({ shops: [shop] });
  if (!health) return null;
  const [connection, events, actions, reconciliation, syncsRunning, lastProductSync, corrections, truth] =
    await Promise.all([
      prisma.merchantConnection.findUniqueOrThrow({
        where: { shop },
        select: {
          merchantId: true,
          plan: true,
          installedAt: true,
          uninstalledAt: true,
          approvalChangedAt: true,
          approvalChangedBy: true,
          lastManualSyncAt: true,
        },
      }),
      latestSyncEvents({ shop }, RECENT_EVENTS),
      recentAdminActions({ shop }),
      lastReconciliation(shop),
      productSyncsInProgress({ shop }),
      lastFinishedProductSync(shop),
      reconciliationCorrections({
        shop,
        from: new Date(now.getTime() - RECONCILIATION_HISTORY_DAYS * 86_400_000),
        to: now,
      }),
      latestTruthFigure(shop),
    ]);
  return {
    health,
    connection,
    events,
    actions: actions.map(({ id, adminEmail, action, createdAt }) => ({ id, adminEmail, action, createdAt })),
    reconciliation,
    reconciliationCorrections: corrections,
    truth,
    productSync: { inProgress: syncsRunning, lastRun: lastProductSync },
  };
}

export interface ReconciliationSummary {
  at: Date;
  /** Variants whose sellable stock the reconciliation had to correct. */
  corrected: number;
  /** Levels it read. */
  levels: number;
}

/** The shop's latest successful inventory reconciliation (an INVENTORY_SYNC event of mode "reconcile"). */
export async function lastReconciliation(shop: string): Promise<ReconciliationSummary | null> {
  const event = await prisma.syncEvent.findFirst({
    where: { shop, eventType: "INVENTORY_SYNC", status: "SUCCESS", metadata: { path: ["mode"], equals: "reconcile" } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { createdAt: true, metadata: true },
  });
  if (!event) return null;
  const metadata = (event.metadata ?? {}) as { corrected?: unknown; levels?: unknown };
  return {
    at: event.createdAt,
    corrected: typeof metadata.corrected === "number" ? metadata.corrected : 0,
    levels: typeof metadata.levels === "number" ? metadata.levels : 0,
  };
}

export type MerchantAdminDetail = NonNullable<Awaited<ReturnType<typeof loadMerchantAdminDetail>>>;
