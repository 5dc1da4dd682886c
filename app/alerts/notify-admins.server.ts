import type { AlertSeverity, Prisma } from "@prisma/client";
import { prisma } from "~/db.server";

// PROVISIONAL: the alerts issue (6) replaces the body with dedupe, cool-down and channel dispatch; callers keep
// this signature.

export interface AdminNotification {
  type: string; // SYNC_FAILURE, SYNC_STALE, DATA_INTEGRITY_ISSUE, ...
  severity: AlertSeverity;
  shop?: string | null;
  jobType?: string | null;
  title: string;
  data?: Prisma.InputJsonValue;
}

export async function notifyAdmins(notification: AdminNotification) {
  const dedupeKey = [notification.type, notification.shop ?? "*", notification.jobType ?? "*"].join(":");
  return prisma.alert.create({
    data: {
      type: notification.type,
      severity: notification.severity,
      shop: notification.shop ?? null,
      jobType: notification.jobType ?? null,
      dedupeKey,
      title: notification.title,
      data: notification.data,
    },
  });
}
