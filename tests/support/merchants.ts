import type { ApprovalStatus, SelectionMode } from "@prisma/client";
import { prisma } from "../../app/db.server";

// The one way tests create a merchant connection: active, approved, products chosen one by one, unless told otherwise.

export interface ConnectionFixture {
  active?: boolean;
  approvalStatus?: ApprovalStatus;
  syncPaused?: boolean;
  selectionMode?: SelectionMode;
  lastCompleteExportAt?: Date | null;
  lastInventorySyncAt?: Date | null;
  defaultLocationId?: bigint | number | null;
}

/** The merchant id createConnection gives a shop's connection. */
export const merchantIdOf = (shop: string) => `merchant-${shop.split(".")[0]}`;

export async function createConnection(shop: string, fixture: ConnectionFixture = {}) {
  return prisma.merchantConnection.create({
    data: {
      shop,
      merchantId: merchantIdOf(shop),
      active: fixture.active ?? true,
      approvalStatus: fixture.approvalStatus ?? "APPROVED",
      syncPaused: fixture.syncPaused ?? false,
      selectionMode: fixture.selectionMode ?? "CHOSEN",
      lastCompleteExportAt: fixture.lastCompleteExportAt ?? null,
      lastInventorySyncAt: fixture.lastInventorySyncAt ?? null,
      defaultLocationId: fixture.defaultLocationId == null ? null : BigInt(fixture.defaultLocationId),
    },
  });
}
