import { accepted, CONNECT_TIMEOUT_ERROR, type WebhookDelivery } from "./webhook-sender";

/** What became of a set of webhook deliveries, as Shopify would count them. */
export interface WebhookSummary {
  triggered: number;
  /** Answered 2xx, at the first attempt or a later one. */
  delivered: number;
  /** Of those, answered 2xx only on a retry (or a released duplicate): the first attempt failed. */
  deliveredOnRetry: number;
  /** A retry scheduled, not yet sent. */
  retrying: number;
  /** Every retry failed: lost, as Shopify loses it after 8 retries over 4 hours. */
  gaveUp: number;
  /** Never sent (setWebhookMode "drop"): lost. */
  dropped: number;
  /** Held until releaseWebhooks. */
  held: number;
  /** A retry was still waiting when the emulator stopped. */
  stoppedBeforeRetry: number;
  /** Attempts that got no answer (or no connection) in time, over all deliveries. */
  attemptsTimedOut: number;
  attempts: number;
  /**
   * The failed attempts by what they got: "500", "timed out: no answer" (connected, answered too late or never),
   * "timed out: no connection" (the app did not accept the connection in time), or the connection's error. The two
   * timeouts apart tell a slow handler from connections left waiting in the app's accept queue.
   */
  failedAttempts: Record<string, number>;
}

export function summariseDeliveries(deliveries: WebhookDelivery[]): WebhookSummary {
  const delivered = deliveries.filter((d) => accepted(d.status));
  return {
    triggered: deliveries.length,
    delivered: delivered.length,
    deliveredOnRetry: delivered.filter((d) => !accepted(d.attemptLog[0]?.status ?? null)).length,
    retrying: deliveries.filter((d) => d.nextAttemptAt !== undefined).length,
    gaveUp: deliveries.filter((d) => d.gaveUp).length,
    dropped: deliveries.filter((d) => d.dropped).length,
    held: deliveries.filter((d) => d.held).length,
    stoppedBeforeRetry: deliveries.filter((d) => d.stoppedBeforeRetry).length,
    attemptsTimedOut: deliveries.reduce((n, d) => n + d.attemptLog.filter((a) => a.timedOut).length, 0),
    attempts: deliveries.reduce((n, d) => n + d.attempts, 0),
    failedAttempts: countFailures(deliveries),
  };
}

function countFailures(deliveries: WebhookDelivery[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const attempt of deliveries.flatMap((d) => d.attemptLog)) {
    if (accepted(attempt.status)) continue;
    const key = attempt.timedOut
      ? attempt.error?.startsWith(CONNECT_TIMEOUT_ERROR)
        ? "timed out: no connection"
        : "timed out: no answer"
      : attempt.status !== null
        ? String(attempt.status)
        : (attempt.error ?? "?");
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
