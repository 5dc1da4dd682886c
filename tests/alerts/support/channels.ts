import { configuredChannels } from "../../../app/alerts/channels/configured-channels.server";
import type { HttpReceiver, SmtpReceiver } from "./receivers";

export const SLACK_PATH = "/slack/services/T000/B000/slack-secret-path";
export const WEBHOOK_PATH = "/hook/webhook-secret-token";
export const WEBHOOK_SECRET = "webhook-signing-secret-0123";
export const SMTP_USER = "alerts";
export const SMTP_PASSWORD = "smtp-secret-password";

/** All three channels, pointed at the local receivers, configured the way the environment would configure them. */
export function localChannels(http: HttpReceiver, smtp: SmtpReceiver) {
  return configuredChannels({
    ALERT_SLACK_WEBHOOK_URL: `${http.url}${SLACK_PATH}`,
    ALERT_WEBHOOK_URL: `${http.url}${WEBHOOK_PATH}`,
    ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: smtp.port,
    SMTP_SECURE: false,
    SMTP_USER,
    SMTP_PASSWORD,
    ALERT_EMAIL_FROM: "Marketplace Sync <alerts@marketplace.test>",
    ALERT_EMAIL_TO: "ops@marketplace.test, oncall@marketplace.test",
  });
}
