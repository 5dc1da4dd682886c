import { recentAdminActions } from "~/admin-actions/record-admin-action.server";
import { getCatalogHealth } from "~/analytics/catalog-health.server";
import { prisma } from "~/db.server";
import { listJobs } from "~/jobs/job-inspection.server";
import { lastFinishedProductSync, productSyncsInProgress } from "~/sync/product-sync-progress.server";

// One merchant on the admin pages: connection, health, their last sync events, queued jobs and who did what.

const RECENT_EVENTS = 20;

export async function loadMerchantAdminDetail(shop: string) {
  const [health] = await getCatalogHealth({ shops: [shop] });
  if (!health) return null;
  const [connection, events, jobs, actions, syncsRunning, lastProductSync] = await Promise.all([
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
    prisma.syncEvent.findMany({
      where: { shop },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: RECENT_EVENTS,
      select: { id: true, eventType: true, status: true, itemCount: true, processingTimeMs: true, errorMessage: true, createdAt: true },
    }),
    listJobs({ shop }),
    recentAdminActions({ shop }),
    productSyncsInProgress({ shop }),
    lastFinishedProductSync(shop),
  ]);
  return {
    health,
    connection,
    events: events.map((event) => ({ ...event, id: event.id.toString() })),
    jobs: jobs.jobs,
    actions: actions.map(({ id, adminEmail, action, createdAt }) => ({ id, adminEmail, action, createdAt })),
    productSync: { inProgress: syncsRunning, lastRun: lastProductSync },
  };
}

export type MerchantAdminDetail = NonNullable<Awaited<ReturnType<typeof loadMerchantAdminDetail>>>;
