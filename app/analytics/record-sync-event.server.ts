import type { Prisma, SyncEventStatus, SyncEventType } from "@prisma/client";
import { prisma } from "~/db.server";
import { observeSyncDuration } from "./metrics.server";

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
}

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
  return event;
}
