import type { Prisma, SyncEventStatus, SyncEventType } from "@prisma/client";
import { recordSyncRecovery } from "~/alerts/resolve.server";
import { prisma } from "~/db.server";
import { syncKindOfEvent } from "~/jobs/sync-kinds";
import { observeSyncDuration } from "./metrics.server";
import { logger } from "~/lib/logger.server";

export interface SyncEventInput {
  shop: string;
  merchantId?: string | null;
  eventType: SyncEventType;
  status: SyncEventStatus;
  itemCount?: number | null;
  processingTimeMs?: number | null;
  errorMessage?: string | null;
  metadata?: Prisma.InputJsonValue;
  createdAt?: Date;
  /** A success normally ends its job's failure and staleness alerts (see below); true leaves them open. */
  skipAlertRecovery?: boolean;
}

// A successful event of a sync kind's type ends the alerts of that kind's task (app/jobs/sync-kinds.ts). Only the
// scheduled sync jobs record these types (webhooks record WEBHOOK), so a success here means that kind works again.

/** The one way a sync run is recorded; analytics, the dashboard and alert recovery read these rows. */
export async function recordSyncEvent(input: SyncEventInput) {
  const event = await prisma.syncEvent.create({
    data: {
      shop: input.shop,
      merchantId: input.merchantId ?? null,
      eventType: input.eventType,
      status: input.status,
      itemCount: input.itemCount ?? null,
      processingTimeMs: input.processingTimeMs == null ? null : Math.round(input.processingTimeMs),
      errorMessage: input.errorMessage ?? null,
      metadata: input.metadata,
      createdAt: input.createdAt,
    },
  });
  if (event.processingTimeMs !== null) observeSyncDuration(event.eventType, event.status, event.processingTimeMs);
  const recoveredJobType = syncKindOfEvent(event.eventType)?.task;
  if (event.status === "SUCCESS" && recoveredJobType && !input.skipAlertRecovery) {
    // The sync succeeded; failing to resolve its alerts must not turn it into a failure (the staleness watch also
    // resolves stale alerts, and the next success tries again).
    await recordSyncRecovery(event.shop, recoveredJobType, { now: event.createdAt }).catch((error: Error) =>
      logger.error({ scope: "alerts", shop: event.shop, jobType: recoveredJobType, err: error }, "could not resolve alerts"),
    );
  }
  return event;
}
