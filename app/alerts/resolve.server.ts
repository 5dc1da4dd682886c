import { withTransaction } from "~/db.server";
import { alertColumns, type AlertRow } from "./alert-row.server";
import type { AlertChannel } from "./channels/channel";
import { configuredChannels } from "./channels/configured-channels.server";
import { enqueueAlertDispatch } from "./enqueue-dispatch.server";
import { logger } from "~/lib/logger.server";

// An incident ends when the same kind of sync succeeds again. Its alert is resolved, and a RECOVERED notification
// goes to each channel that was told about it (or is being told right now): nobody needs to hear that a thing they
// were never told about is fine again. Notifications still waiting to go out are canceled, not sent late.

export const FAILURE_TYPES_RESOLVED_BY_SUCCESS = ["SYNC_FAILURE", "SYNC_STALE"] as const;

export interface IncidentSelector {
  type: string;
  shop: string | null;
  jobType: string | null;
}

export interface ResolveOptions {
  now?: Date;
  channels?: AlertChannel[];
  enqueue?: boolean;
}

/** Resolves the unresolved alerts of these incidents in one statement; returns the alerts it resolved. */
export async function resolveIncidents(
  incidents: IncidentSelector[],
  options: ResolveOptions = {},
): Promise<AlertRow[]> {
  if (incidents.length === 0) return [];
  const now = options.now ?? new Date();
  const channels = (options.channels ?? configuredChannels()).map((c) => c.name);

  const { resolved, announced } = await withTransaction(async (client) => {
    const { rows } = await client.query<AlertRow>(
      `UPDATE alert AS a SET status = 'RESOLVED', resolved_at = $4
         FROM unnest($1::text[], $2::text[], $3::text[]) AS i(type, shop, job_type)
        WHERE a.status <> 'RESOLVED' AND a.type = i.type
          AND a.shop IS NOT DISTINCT FROM i.shop AND a.job_type IS NOT DISTINCT FROM i.job_type
       RETURNING ${alertColumns("a")}`,
      [incidents.map((i) => i.type), incidents.map((i) => i.shop), incidents.map((i) => i.jobType), now],
    );
    if (rows.length === 0) return { resolved: rows, announced: [] as number[] };
    const ids = rows.map((a) => a.id);
    await client.query(
      `UPDATE alert_delivery SET status = 'CANCELED', last_error = 'resolved before it was sent'
        WHERE alert_id = ANY($1::int[]) AND status = 'PENDING' AND kind <> 'RECOVERED'`,
      [ids],
    );
    const { rows: announced } = await client.query<{ alertId: number }>(
      `INSERT INTO alert_delivery (alert_id, channel, kind, next_attempt_at, created_at)
       SELECT DISTINCT d.alert_id, d.channel, 'RECOVERED'::"AlertDeliveryKind", $3::timestamptz, $3::timestamptz
         FROM alert_delivery d
        WHERE d.alert_id = ANY($1::int[]) AND d.channel = ANY($2::text[])
          AND d.kind <> 'RECOVERED' AND d.status IN ('SENT', 'SENDING')
       RETURNING alert_id AS "alertId"`,
      [ids, channels, now],
    );
    return { resolved: rows, announced: [...new Set(announced.map((r) => r.alertId))] };
  });

  if (announced.length > 0 && options.enqueue !== false) {
    await enqueueAlertDispatch(announced).catch((error: Error) =>
      logger.error({ scope: "alerts", err: error }, "could not queue recovery dispatch (the sweep will send it)"),
    );
  }
  return resolved;
}

/** Resolves one kind of incident; `type` may list several alert types. */
export async function resolveAlerts(
  selector: { type: string | readonly string[]; shop?: string | null; jobType?: string | null },
  options: ResolveOptions = {},
): Promise<AlertRow[]> {
  const types = typeof selector.type === "string" ? [selector.type] : [...selector.type];
  return resolveIncidents(
    types.map((type) => ({ type, shop: selector.shop ?? null, jobType: selector.jobType ?? null })),
    options,
  );
}

/**
 * What a sync job calls after it succeeds: its failures and staleness for this shop and job type are over.
 * Cheap when there is nothing to resolve (one indexed UPDATE that matches no row), so call it on every success.
 */
export async function recordSyncRecovery(
  shop: string,
  jobType: string,
  options: ResolveOptions = {},
): Promise<AlertRow[]> {
  return resolveAlerts({ type: FAILURE_TYPES_RESOLVED_BY_SUCCESS, shop, jobType }, options);
}
