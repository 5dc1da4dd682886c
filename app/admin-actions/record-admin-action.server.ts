import type { Prisma } from "@prisma/client";
import { prisma } from "~/db.server";

// Who did what on the platform admin pages. Approval keeps its own who/when on the connection too; this log covers
// every action (pauses, manual syncs, job retries) in one place, shown on a merchant's admin page.

export interface AdminActionInput {
  adminEmail: string;
  action: string;
  shop?: string | null;
  details?: Prisma.InputJsonObject;
  now?: Date;
}

export async function recordAdminAction({ adminEmail, action, shop, details, now }: AdminActionInput): Promise<void> {
  await prisma.adminAction.create({
    data: { adminEmail, action, shop: shop ?? null, details: details ?? undefined, createdAt: now ?? new Date() },
  });
}

export interface AdminActionView {
  id: string;
  adminEmail: string;
  action: string;
  shop: string | null;
  details: unknown;
  createdAt: Date;
}

export async function recentAdminActions(filter: { shop?: string; limit?: number } = {}): Promise<AdminActionView[]> {
  const rows = await prisma.adminAction.findMany({
    where: filter.shop ? { shop: filter.shop } : {},
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: filter.limit ?? 20,
  });
  return rows.map((row) => ({ ...row, id: row.id.toString() }));
}
