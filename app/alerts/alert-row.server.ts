import type { Alert } from "@prisma/client";

// Alerts are written with set-based SQL (upserts, bulk resolves); this selects them back in Prisma's shape so callers
// see one Alert type whichever way a row was read.
export type AlertRow = Alert;

export function alertColumns(alias = "a"): string {
  return `${alias}.id, ${alias}.type, ${alias}.severity, ${alias}.shop, ${alias}.job_type AS "jobType",
    ${alias}.dedupe_key AS "dedupeKey", ${alias}.title, ${alias}.data, ${alias}.status, ${alias}.occurrences,
    ${alias}.first_seen_at AS "firstSeenAt", ${alias}.last_seen_at AS "lastSeenAt",
    ${alias}.last_notified_at AS "lastNotifiedAt", COALESCE(${alias}.notified_channels, '{}') AS "notifiedChannels",
    ${alias}.acknowledged_at AS "acknowledgedAt", ${alias}.acknowledged_by AS "acknowledgedBy",
    ${alias}.resolved_at AS "resolvedAt"`;
}

/** One incident = one alert type, for one shop, for one kind of job. */
export function dedupeKeyOf(type: string, shop: string | null | undefined, jobType: string | null | undefined): string {
  return [type, shop ?? "*", jobType ?? "*"].join(":");
}
