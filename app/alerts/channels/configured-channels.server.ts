import { env, type Env } from "~/env.server";
import type { AlertChannel, ChannelDescription, ChannelName } from "./channel";
import { emailChannel } from "./email.server";
import { slackChannel } from "./slack.server";
import { webhookChannel } from "./webhook.server";

// Which channels the environment configures. A channel is on when its settings are present; none means alerts are
// stored and shown on the admin pages only.

type ChannelSettings = Pick<
  Env,
  | "ALERT_SLACK_WEBHOOK_URL"
  | "ALERT_WEBHOOK_URL"
  | "ALERT_WEBHOOK_SECRET"
  | "SMTP_HOST"
  | "SMTP_PORT"
  | "SMTP_SECURE"
  | "SMTP_USER"
  | "SMTP_PASSWORD"
  | "ALERT_EMAIL_FROM"
  | "ALERT_EMAIL_TO"
>;

function recipients(list: string | undefined): string[] {
  return (list ?? "")
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);
}

export function configuredChannels(settings: ChannelSettings = env()): AlertChannel[] {
  const channels: AlertChannel[] = [];
  if (settings.ALERT_SLACK_WEBHOOK_URL) channels.push(slackChannel(settings.ALERT_SLACK_WEBHOOK_URL));
  const to = recipients(settings.ALERT_EMAIL_TO);
  if (settings.SMTP_HOST && to.length > 0) {
    channels.push(
      emailChannel({
        host: settings.SMTP_HOST,
        port: settings.SMTP_PORT,
        secure: settings.SMTP_SECURE,
        user: settings.SMTP_USER,
        password: settings.SMTP_PASSWORD,
        from: settings.ALERT_EMAIL_FROM,
        to,
      }),
    );
  }
  if (settings.ALERT_WEBHOOK_URL)
    channels.push(webhookChannel(settings.ALERT_WEBHOOK_URL, settings.ALERT_WEBHOOK_SECRET));
  return channels;
}

const ALL_CHANNELS: ChannelName[] = ["slack", "email", "webhook"];

/** Every channel with its masked settings, configured or not: what the admin pages show. */
export function describeChannels(settings: ChannelSettings = env()): ChannelDescription[] {
  const configured = new Map(configuredChannels(settings).map((c) => [c.name, c.describe()]));
  return ALL_CHANNELS.map((name) => configured.get(name) ?? { name, configured: false, target: null });
}

/** Replaces every secret in `text`; a stored delivery error or a log line must not leak a credential. */
export function redactSecrets(text: string, secrets: string[]): string {
  return secrets
    .filter((secret) => secret.length >= 4)
    .reduce((result, secret) => result.split(secret).join("[redacted]"), text);
}
