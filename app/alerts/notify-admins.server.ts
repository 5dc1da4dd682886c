import type { AlertSeverity, Prisma } from "@prisma/client";
import { withTransaction } from "~/db.server";
import { env } from "~/env.server";
import { alertColumns, dedupeKeyOf, type AlertRow } from "./alert-row.server";
import type { AlertChannel } from "./channels/channel";
import { configuredChannels } from "./channels/configured-channels.server";
import { enqueueAlertDispatch } from "./enqueue-dispatch.server";
import { logger } from "~/lib/logger.server";

// The one notification interface every job uses. An alert is stored first (so it is never lost and always shown),
// then dispatched by the `alerts-dispatch` job to the configured channels.
//
// No alert fatigue:
// - one open alert per incident (type + shop + job type), enforced by a partial unique index, so concurrent failures
//   bump one row; a repeat bumps `occurrences` and `last_seen_at` instead of sending again;
// - a repeat is sent again (REMINDER) only when the alert is OPEN (not acknowledged) and the last notification is
//   older than ALERT_COOLDOWN_MINUTES;
// - transient failures (throttling, a retry still to come) are ignored entirely.

export interface AdminNotification {
  type: string; // SYNC_FAILURE, SYNC_STALE, DATA_INTEGRITY_ISSUE, ...
  severity: AlertSeverity;
  shop?: string | null;
  jobType?: string | null;
  title: string;
  data?: Prisma.InputJsonValue;
  /** A failure that will be retried or waited out (throttling): nothing is stored or sent. */
  transient?: boolean;
  /** With maxAttempts: a failure before the last attempt counts as transient. */
  attempt?: number;
  maxAttempts?: number;
}

export type NotifyOutcome =
  | "opened" // a new incident: stored, and sent when channels are configured
  | "renotified" // a repeat after the cool-down: bumped and sent again
  | "repeated" // a repeat within the cool-down, or of an acknowledged alert: bumped only
  | "ignored-transient";

export interface NotifyResult {
  outcome: NotifyOutcome;
  alert: AlertRow | null;
}

export interface NotifyOptions {
  now?: Date;
  channels?: AlertChannel[];
  cooldownMinutes?: number;
  /** Queue the dispatch job (default). Tests that dispatch by hand turn it off. */
  enqueue?: boolean;
}

export function isTransient(notification: AdminNotification): boolean {
  if (notification.transient) return true;
  const { attempt, maxAttempts } = notification;
  return attempt !== undefined && maxAttempts !== undefined && attempt < maxAttempts;
}

export async function notifyAdmins(
  notification: AdminNotification,
  options: NotifyOptions = {},
): Promise<NotifyResult> {
  if (isTransient(notification)) return { outcome: "ignored-transient", alert: null };
  const [result] = await raiseAlerts([notification], options);
  return result;
}

/**
 * notifyAdmins for many incidents in one set-based round (the staleness watch raises one per stale shop).
 * Results come back in input order; notifications sharing a dedupe key count as one occurrence each.
 */
export async function raiseAlerts(
  notifications: AdminNotification[],
  options: NotifyOptions = {},
): Promise<NotifyResult[]> {
  const now = options.now ?? new Date();
  const channels = (options.channels ?? configuredChannels()).map((c) => c.name);
  const cooldownMinutes = options.cooldownMinutes ?? env().ALERT_COOLDOWN_MINUTES;

  const relevant = notifications.filter((n) => !isTransient(n));
  if (relevant.length === 0) return notifications.map(() => ({ outcome: "ignored-transient", alert: null }));

  // An upsert cannot touch one row twice in a statement: fold same-incident notifications (last one's words win).
  const byKey = new Map<string, { n: AdminNotification; count: number }>();
  for (const n of relevant) {
    const key = dedupeKeyOf(n.type, n.shop, n.jobType);
    byKey.set(key, { n, count: (byKey.get(key)?.count ?? 0) + 1 });
  }
  const keys = [...byKey.keys()];
  const rows = [...byKey.values()];

  const { alerts, notified } = await withTransaction(async (client) => {
    // 1. Store: open a new alert, or bump the open one. (xmax = 0) is PostgreSQL's tell for "inserted".
    const upserted = await client.query<{ id: number; inserted: boolean; dedupeKey: string }>(
      `INSERT INTO alert AS a (type, severity, shop, job_type, dedupe_key, title, data, occurrences,
                               first_seen_at, last_seen_at)
       SELECT i.type, i.severity, i.shop, i.job_type, i.dedupe_key, i.title, i.data, i.occurrences, $9, $9
         FROM unnest($1::text[], $2::"AlertSeverity"[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[],
                     $8::int[]) AS i(type, severity, shop, job_type, dedupe_key, title, data, occurrences)
       ON CONFLICT (dedupe_key) WHERE status <> 'RESOLVED' DO UPDATE SET
         occurrences  = a.occurrences + EXCLUDED.occurrences,
         last_seen_at = GREATEST(a.last_seen_at, EXCLUDED.last_seen_at),
         severity     = GREATEST(a.severity, EXCLUDED.severity),
         title        = EXCLUDED.title,
         data         = EXCLUDED.data
       RETURNING a.id, (a.xmax = 0) AS inserted, a.dedupe_key AS "dedupeKey"`,
      [
        rows.map((r) => r.n.type),
        rows.map((r) => r.n.severity),
        rows.map((r) => r.n.shop ?? null),
        rows.map((r) => r.n.jobType ?? null),
        keys,
        rows.map((r) => r.n.title),
        rows.map((r) => (r.n.data === undefined ? null : JSON.stringify(r.n.data))),
        rows.map((r) => r.count),
        now,
      ],
    );

    // 2. Decide who is told, under the row locks the upsert holds (so two workers cannot both send a reminder):
    //    a new alert, or an OPEN one last told before the cool-down began. Nothing is told without channels.
    let notifiedIds: number[] = [];
    if (channels.length > 0) {
      const decided = await client.query<{ id: number }>(
        `UPDATE alert AS a SET last_notified_at = $3
           FROM unnest($1::int[], $2::boolean[]) AS u(id, inserted)
          WHERE a.id = u.id AND a.status = 'OPEN'
            AND (u.inserted OR a.last_notified_at IS NULL OR a.last_notified_at <= $3::timestamptz - make_interval(mins => $4))
         RETURNING a.id`,
        [upserted.rows.map((r) => r.id), upserted.rows.map((r) => r.inserted), now, cooldownMinutes],
      );
      notifiedIds = decided.rows.map((r) => r.id);
      // 3. One delivery per channel; dispatch sends and retries each on its own. A channel that still has this alert's
      //    notification waiting gets no second one: the message is worded when sent, so it will carry the repeat.
      await client.query(
        `INSERT INTO alert_delivery (alert_id, channel, kind, next_attempt_at, created_at)
         SELECT u.id, c.channel, CASE WHEN u.inserted THEN 'FIRING' ELSE 'REMINDER' END::"AlertDeliveryKind", $4, $4
           FROM unnest($1::int[], $2::boolean[]) AS u(id, inserted)
          CROSS JOIN unnest($3::text[]) AS c(channel)
          WHERE u.id = ANY($5::int[])
            AND NOT EXISTS (SELECT 1 FROM alert_delivery d
                             WHERE d.alert_id = u.id AND d.channel = c.channel AND d.kind <> 'RECOVERED'
                               AND d.status IN ('PENDING', 'SENDING'))`,
        [upserted.rows.map((r) => r.id), upserted.rows.map((r) => r.inserted), channels, now, notifiedIds],
      );
    }
    const stored = await client.query<AlertRow>(
      `SELECT ${alertColumns("a")} FROM alert a WHERE a.id = ANY($1::int[])`,
      [upserted.rows.map((r) => r.id)],
    );
    const byId = new Map(stored.rows.map((a) => [a.id, a]));
    const inserted = new Map(upserted.rows.map((r) => [r.dedupeKey, r]));
    return {
      alerts: new Map(
        keys.map((key) => [key, { alert: byId.get(inserted.get(key)!.id)!, inserted: inserted.get(key)!.inserted }]),
      ),
      notified: new Set(notifiedIds),
    };
  });

  // After commit, so the job never runs before the rows exist. If queueing fails, the deliveries stay PENDING and
  // the dispatch sweep sends them; the caller (a failing job) must not fail again because of its alert.
  if (notified.size > 0 && options.enqueue !== false) {
    await enqueueAlertDispatch([...notified]).catch((error: Error) =>
      logger.error({ scope: "alerts", err: error }, "could not queue dispatch (the sweep will send it)"),
    );
  }

  return notifications.map((n) => {
    if (isTransient(n)) return { outcome: "ignored-transient" as const, alert: null };
    const { alert, inserted } = alerts.get(dedupeKeyOf(n.type, n.shop, n.jobType))!;
    const outcome: NotifyOutcome = inserted ? "opened" : notified.has(alert.id) ? "renotified" : "repeated";
    return { outcome, alert };
  });
}
