import type { Prisma, SyncEventStatus, SyncEventType } from "@prisma/client";
import { prisma } from "~/db.server";

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
  return prisma.syncEvent.create({
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
}
