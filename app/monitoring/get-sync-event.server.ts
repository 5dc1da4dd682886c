import { prisma } from "~/db.server";

// One sync event in full, for the monitor's detail page (the table shows a shortened error and no metadata).

export interface SyncEventDetail {
  id: string;
  shop: string;
  merchantId: string | null;
  eventType: string;
  status: string;
  itemCount: number | null;
  processingTimeMs: number | null;
  errorMessage: string | null;
  /** The metadata as indented JSON, or null when the event has none. */
  metadataJson: string | null;
  createdAt: Date;
}

/** The event, or null for an id that is not a positive integer or matches nothing. */
export async function getSyncEvent(idText: string): Promise<SyncEventDetail | null> {
  if (!/^[1-9]\d{0,18}$/.test(idText) || BigInt(idText) > 2n ** 63n - 1n) return null;
  const event = await prisma.syncEvent.findUnique({ where: { id: BigInt(idText) } });
  if (!event) return null;
  return {
    id: event.id.toString(),
    shop: event.shop,
    merchantId: event.merchantId,
    eventType: event.eventType,
    status: event.status,
    itemCount: event.itemCount,
    processingTimeMs: event.processingTimeMs,
    errorMessage: event.errorMessage,
    metadataJson: event.metadata === null ? null : JSON.stringify(event.metadata, null, 2),
    createdAt: event.createdAt,
  };
}
