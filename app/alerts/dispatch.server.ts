import type { AlertDeliveryKind } from "@prisma/client";
import { pgPool } from "~/db.server";
import { env } from "~/env.server";
import { buildAlertMessage } from "./alert-message.server";
import { alertColumns, type AlertRow } from "./alert-row.server";
import type { AlertChannel, ChannelName } from "./channels/channel";
import { configuredChannels, redactSecrets } from "./channels/configured-channels.server";
import { logger } from "~/lib/logger.server";

// Sends an alert's due deliveries, each channel on its own: one channel's failure is recorded against that channel
// and retried with backoff, and never stops the others. A delivery that exhausts its attempts is marked FAILED; the
// alert itself stays stored and shown either way.
//
// Deliveries are claimed (PENDING -> SENDING with a lease) before sending, so the dispatch job and the sweep can
// run at once without sending twice, and a dispatcher that dies mid-send leaves its claim to expire, not a lost row.

export const DELIVERY_MAX_ATTEMPTS = 8;
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 60 * 60_000;
const CLAIM_LEASE_MS = 2 * 60_000;

/** 30 s, 1 min, 2 min ... capped at 1 h: eight attempts span about an hour. */
export function deliveryRetryDelayMs(failedAttempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** (failedAttempts - 1), MAX_RETRY_MS);
}

export interface DispatchOptions {
  now?: Date;
  channels?: AlertChannel[];
  appUrl?: string;
}

export interface DispatchResult {
  sent: ChannelName[];
  failed: { channel: string; error: string; retryAt: Date | null }[];
  /** When this alert next has a delivery due (a retry), or null when nothing is left to send. */
  nextAttemptAt: Date | null;
}

interface ClaimedDelivery {
  id: string;
  alertId: number;
  channel: string;
  kind: AlertDeliveryKind;
  attempts: number;
}

const DUE = `((d.status = 'PENDING' AND d.next_attempt_at <= $2) OR (d.status = 'SENDING' AND d.locked_until <= $2))`;

export async function dispatchAlert(alertId: number, options: DispatchOptions = {}): Promise<DispatchResult> {
  const now = options.now ?? new Date();
  const channels = options.channels ?? configuredChannels();
  const pool = pgPool();

  const claimed = await pool.query<ClaimedDelivery>(
    `UPDATE alert_delivery AS d
        SET status = 'SENDING', attempts = d.attempts + 1, locked_until = $2::timestamptz + make_interval(secs => $3)
      WHERE d.id IN (SELECT d.id FROM alert_delivery d WHERE d.alert_id = $1 AND ${DUE}
                     FOR UPDATE SKIP LOCKED)
      RETURNING d.id::text, d.alert_id AS "alertId", d.channel, d.kind, d.attempts`,
    [alertId, now, CLAIM_LEASE_MS / 1000],
  );

  const result: DispatchResult = { sent: [], failed: [], nextAttemptAt: null };
  if (claimed.rows.length > 0) {
    const alert = (await pool.query<AlertRow>(`SELECT ${alertColumns("a")} FROM alert a WHERE a.id = $1`, [alertId]))
      .rows[0];
    const appUrl = options.appUrl ?? env().SHOPIFY_APP_URL;
    const secrets = channels.flatMap((c) => c.secrets);
    const byName = new Map(channels.map((c) => [c.name as string, c]));

    const outcomes = await Promise.all(
      claimed.rows.map(async (delivery) => {
        const channel = byName.get(delivery.channel);
        try {
          if (!channel) throw new Error(`${delivery.channel}: channel is no longer configured`);
          await channel.send(buildAlertMessage(alert, { id: delivery.id, kind: delivery.kind }, appUrl));
          return { delivery, error: null };
        } catch (error) {
          const message = redactSecrets(error instanceof Error ? error.message : String(error), secrets);
          return { delivery, error: message, permanent: !channel };
        }
      }),
    );

    const retryAt = (o: (typeof outcomes)[number]) =>
      o.error === null || ("permanent" in o && o.permanent) || o.delivery.attempts >= DELIVERY_MAX_ATTEMPTS
        ? null
        : new Date(now.getTime() + deliveryRetryDelayMs(o.delivery.attempts));

    await pool.query(
      `UPDATE alert_delivery AS d
          SET status = o.status::"AlertDeliveryStatus", last_error = o.error, locked_until = NULL,
              sent_at = CASE WHEN o.status = 'SENT' THEN $5::timestamptz END,
              next_attempt_at = COALESCE(o.retry_at, d.next_attempt_at)
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[]) AS o(id, status, error, retry_at)
        WHERE d.id = o.id`,
      [
        outcomes.map((o) => o.delivery.id),
        outcomes.map((o) => (o.error === null ? "SENT" : retryAt(o) ? "PENDING" : "FAILED")),
        outcomes.map((o) => o.error),
        outcomes.map((o) => retryAt(o)),
        now,
      ],
    );
    // The alert remembers every channel that has received it, for the admin pages.
    await pool.query(
      `UPDATE alert SET notified_channels = ARRAY(
         SELECT DISTINCT c FROM unnest(COALESCE(notified_channels, '{}') || $2::text[]) AS c ORDER BY c)
        WHERE id = $1`,
      [alertId, outcomes.filter((o) => o.error === null).map((o) => o.delivery.channel)],
    );

    for (const o of outcomes) {
      if (o.error === null) result.sent.push(o.delivery.channel as ChannelName);
      else {
        result.failed.push({ channel: o.delivery.channel, error: o.error, retryAt: retryAt(o) });
        logger.warn(
          { scope: "alerts", alertId, deliveryId: o.delivery.id, outcome: "failed", error: o.error },
          "alert delivery failed",
        );
      }
    }
  }

  const next = await pool.query<{ at: Date | null }>(
    `SELECT min(CASE WHEN status = 'PENDING' THEN next_attempt_at ELSE locked_until END) AS at
       FROM alert_delivery WHERE alert_id = $1 AND status IN ('PENDING', 'SENDING')`,
    [alertId],
  );
  result.nextAttemptAt = next.rows[0]?.at ?? null;
  return result;
}

/**
 * The safety net, run every few minutes: sends every due delivery whose job was never queued (queueing failed
 * after the alert was stored) or whose dispatcher died. Returns the alerts it dispatched.
 */
export async function dispatchDueDeliveries(options: DispatchOptions & { limit?: number } = {}): Promise<number[]> {
  const now = options.now ?? new Date();
  const { rows } = await pgPool().query<{ alertId: number }>(
    `SELECT DISTINCT d.alert_id AS "alertId" FROM alert_delivery d
      WHERE d.status IN ('PENDING', 'SENDING') AND ${DUE.replaceAll("$2", "$1")}
      LIMIT $2`,
    [now, options.limit ?? 100],
  );
  // A handful of alerts at most; each one's channels are sent concurrently inside dispatchAlert.
  for (const { alertId } of rows) await dispatchAlert(alertId, { ...options, now });
  return rows.map((r) => r.alertId);
}
