import type { AlertDeliveryKind } from "@prisma/client";
import type { AlertRow } from "./alert-row.server";
import type { AlertMessage } from "./channels/channel";

// The words of a notification, the same on every channel.

function subjectOf(alert: AlertRow, kind: AlertDeliveryKind): string {
  switch (kind) {
    case "FIRING":
      return `[${alert.severity}] ${alert.title}`;
    case "REMINDER":
      return `[${alert.severity}, still happening: ${alert.occurrences} times] ${alert.title}`;
    case "RECOVERED":
      return `[RECOVERED] ${alert.title}`;
  }
}

function errorOf(data: unknown): string | null {
  if (data && typeof data === "object" && "error" in data) {
    const error = (data as { error?: unknown }).error;
    if (typeof error === "string") return error;
  }
  return null;
}

export function buildAlertMessage(
  alert: AlertRow,
  delivery: { id: string; kind: AlertDeliveryKind },
  appUrl: string,
): AlertMessage {
  const lines = [
    alert.shop ? `Shop: ${alert.shop}` : null,
    alert.jobType ? `Job: ${alert.jobType}` : null,
    `Type: ${alert.type}`,
    `Occurrences: ${alert.occurrences} (first ${alert.firstSeenAt.toISOString()}, last ${alert.lastSeenAt.toISOString()})`,
    delivery.kind === "RECOVERED" && alert.resolvedAt ? `Recovered: ${alert.resolvedAt.toISOString()}` : null,
    delivery.kind !== "RECOVERED" && errorOf(alert.data) ? `Error: ${errorOf(alert.data)}` : null,
  ].filter((line): line is string => line !== null);
  return {
    deliveryId: delivery.id,
    kind: delivery.kind,
    subject: subjectOf(alert, delivery.kind),
    text: lines.join("\n"),
    url: new URL(`/admin/alerts/${alert.id}`, appUrl).toString(),
    alert: {
      id: alert.id,
      type: alert.type,
      severity: alert.severity,
      status: alert.status,
      shop: alert.shop,
      jobType: alert.jobType,
      title: alert.title,
      occurrences: alert.occurrences,
      firstSeenAt: alert.firstSeenAt.toISOString(),
      lastSeenAt: alert.lastSeenAt.toISOString(),
      resolvedAt: alert.resolvedAt?.toISOString() ?? null,
      data: alert.data,
    },
  };
}
