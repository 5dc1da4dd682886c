import type { ApprovalStatus } from "@prisma/client";
import { prisma } from "../../app/db.server";

export async function createConnection(
  shop: string,
  overrides: { active?: boolean; approvalStatus?: ApprovalStatus; syncPaused?: boolean } = {},
) {
  return prisma.merchantConnection.create({
    data: {
      shop,
      merchantId: `merchant-${shop.split(".")[0]}`,
      active: overrides.active ?? true,
      approvalStatus: overrides.approvalStatus ?? "APPROVED",
      syncPaused: overrides.syncPaused ?? false,
    },
  });
}
