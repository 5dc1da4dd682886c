import { describe, expect, it } from "vitest";
import {
  configuredChannels,
  describeChannels,
  redactSecrets,
} from "../../app/alerts/channels/configured-channels.server";

const settings = {
  ALERT_SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T0001/B0001/XXXXsecretXXXX",
  ALERT_WEBHOOK_URL: "https://alerts.example.com/hooks/abcdef-secret-token?key=also-secret",
  ALERT_WEBHOOK_SECRET: "signing-secret-0123456789",
  SMTP_HOST: "smtp.example.com",
  SMTP_PORT: 587,
  SMTP_SECURE: false,
  SMTP_USER: "alerts@example.com",
  SMTP_PASSWORD: "hunter2-smtp-password",
  ALERT_EMAIL_FROM: "Marketplace Sync <alerts@example.com>",
  ALERT_EMAIL_TO: "ops@example.com, ,oncall@example.com",
};

describe("channel configuration", () => {
  it("uses each channel whose settings are present, and none when nothing is set", () => {
    expect(configuredChannels(settings).map((c) => c.name)).toEqual(["slack", "email", "webhook"]);
    expect(configuredChannels({ ...settings, ALERT_EMAIL_TO: undefined }).map((c) => c.name)).toEqual([
      "slack",
      "webhook",
    ]);
    expect(
      configuredChannels({
        SMTP_PORT: 587,
        SMTP_SECURE: false,
        ALERT_EMAIL_FROM: "x <x@example.com>",
      } as typeof settings),
    ).toEqual([]);
  });

  it("describes the channels for the admin pages without a token, URL path or password", () => {
    const described = describeChannels(settings);
    expect(described).toEqual([
      { name: "slack", configured: true, target: "https://hooks.slack.com/…" },
      {
        name: "email",
        configured: true,
        target: "smtp.example.com:587",
        details: {
          tls: "STARTTLS when offered",
          user: "alerts@example.com",
          password: "set",
          from: "Marketplace Sync <alerts@example.com>",
          to: "ops@example.com, oncall@example.com",
        },
      },
      { name: "webhook", configured: true, target: "https://alerts.example.com/…", details: { signed: "yes" } },
    ]);
    const text = JSON.stringify(described);
    for (const secret of ["XXXXsecretXXXX", "abcdef-secret-token", "also-secret", "signing-secret", "hunter2"]) {
      expect(text).not.toContain(secret);
    }
    expect(describeChannels({ SMTP_PORT: 25, SMTP_SECURE: false, ALERT_EMAIL_FROM: "x" } as typeof settings)).toEqual([
      { name: "slack", configured: false, target: null },
      { name: "email", configured: false, target: null },
      { name: "webhook", configured: false, target: null },
    ]);
  });

  it("redacts every channel secret from an error message", () => {
    const secrets = configuredChannels(settings).flatMap((c) => c.secrets);
    expect(redactSecrets(`failed: ${settings.ALERT_SLACK_WEBHOOK_URL} with hunter2-smtp-password`, secrets)).toBe(
      "failed: [redacted] with [redacted]",
    );
  });
});
