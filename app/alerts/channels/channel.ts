import type { AlertDeliveryKind, AlertSeverity, AlertStatus } from "@prisma/client";

// What every channel receives: one delivery of one alert, already worded. Channels format it for their medium
// and throw on failure; dispatch records the outcome per channel.

export type ChannelName = "slack" | "email" | "webhook";

export interface AlertMessage {
  /** Stable across retries of the same delivery: receivers can use it to ignore a duplicate. */
  deliveryId: string;
  kind: AlertDeliveryKind;
  subject: string;
  text: string;
  /** The alert on the monitoring pages. */
  url: string;
  alert: {
    id: number;
    type: string;
    severity: AlertSeverity;
    status: AlertStatus;
    shop: string | null;
    jobType: string | null;
    title: string;
    occurrences: number;
    firstSeenAt: string;
    lastSeenAt: string;
    resolvedAt: string | null;
    data: unknown;
  };
}

export interface AlertChannel {
  readonly name: ChannelName;
  send(message: AlertMessage): Promise<void>;
  /** Settings safe to show on the admin pages: hosts and recipients, never a token, URL path or password. */
  describe(): ChannelDescription;
  /** Values that must never appear in a stored error or a log line (URLs, passwords). */
  readonly secrets: string[];
}

export interface ChannelDescription {
  name: ChannelName;
  configured: boolean;
  target: string | null;
  details?: Record<string, string>;
}

/** A channel's failure, worded without its secrets (a webhook URL is a credential). */
export class ChannelDeliveryError extends Error {
  constructor(channel: ChannelName, reason: string) {
    super(`${channel}: ${reason}`);
    this.name = "ChannelDeliveryError";
  }
}
