import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELIVERY_MAX_ATTEMPTS, dispatchAlert, dispatchDueDeliveries } from "../../app/alerts/dispatch.server";
import { notifyAdmins } from "../../app/alerts/notify-admins.server";
import { pgPool } from "../../app/db.server";
import { localChannels, SLACK_PATH, SMTP_PASSWORD, SMTP_USER, WEBHOOK_PATH } from "./support/channels";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "./support/receivers";

// These tests dispatch by hand (enqueue: false), as the worker would, with an injected clock.

let http: HttpReceiver;
let smtp: SmtpReceiver;
let channels: ReturnType<typeof localChannels>;
const T0 = new Date("2026-11-20T10:00:00Z");
const seconds = (n: number) => new Date(T0.getTime() + n * 1000);

beforeAll(async () => {
  http = await startHttpReceiver();
  smtp = await startSmtpReceiver({ user: SMTP_USER, password: SMTP_PASSWORD });
  channels = localChannels(http, smtp);
});
afterAll(async () => {
  await http?.close();
  await smtp?.close();
});

function failure(shop: string) {
  return {
    type: "SYNC_FAILURE",
    severity: "CRITICAL" as const,
    shop,
    jobType: "inventory-sync",
    title: `Inventory sync failed for ${shop}`,
  };
}

async function deliveries(alertId: number) {
  const { rows } = await pgPool().query<{
    channel: string;
    status: string;
    attempts: number;
    last_error: string | null;
  }>(`SELECT channel, status, attempts, last_error FROM alert_delivery WHERE alert_id = $1 ORDER BY channel`, [
    alertId,
  ]);
  return rows;
}

describe("a failing channel", () => {
  it("is retried with backoff while the other channels deliver at once", async () => {
    http.failNext(SLACK_PATH, 500, 503);
    const { alert } = await notifyAdmins(failure("flaky.myshopify.com"), { now: T0, channels, enqueue: false });

    const first = await dispatchAlert(alert!.id, { now: T0, channels });
    expect(first.sent.sort()).toEqual(["email", "webhook"]);
    expect(first.failed).toEqual([{ channel: "slack", error: "slack: HTTP 500 broken", retryAt: seconds(30) }]);
    expect(first.nextAttemptAt).toEqual(seconds(30));
    expect(smtp.mails).toHaveLength(1);
    expect(http.received(WEBHOOK_PATH)).toHaveLength(1);

    // Not due yet: nothing is attempted.
    const early = await dispatchAlert(alert!.id, { now: seconds(10), channels });
    expect(early).toEqual({ sent: [], failed: [], nextAttemptAt: seconds(30) });
    expect(http.received(SLACK_PATH)).toHaveLength(1);

    // Second attempt fails again; the wait doubles. Email and webhook are not sent twice.
    const second = await dispatchAlert(alert!.id, { now: seconds(30), channels });
    expect(second.failed).toEqual([{ channel: "slack", error: "slack: HTTP 503 broken", retryAt: seconds(90) }]);

    const third = await dispatchAlert(alert!.id, { now: seconds(90), channels });
    expect(third).toEqual({ sent: ["slack"], failed: [], nextAttemptAt: null });
    expect(http.received(SLACK_PATH)).toHaveLength(3);
    expect(smtp.mails).toHaveLength(1);
    expect(http.received(WEBHOOK_PATH)).toHaveLength(1);
    expect(await deliveries(alert!.id)).toEqual([
      { channel: "email", status: "SENT", attempts: 1, last_error: null },
      { channel: "slack", status: "SENT", attempts: 3, last_error: null },
      { channel: "webhook", status: "SENT", attempts: 1, last_error: null },
    ]);
  });

  it("gives up after the last attempt without losing the alert, and never records the webhook URL", async () => {
    http.failAlways(WEBHOOK_PATH, 500);
    try {
      const { alert } = await notifyAdmins(failure("broken.myshopify.com"), { now: T0, channels, enqueue: false });
      let now = T0;
      for (let attempt = 1; attempt <= DELIVERY_MAX_ATTEMPTS; attempt++) {
        const result = await dispatchAlert(alert!.id, { now, channels });
        if (attempt < DELIVERY_MAX_ATTEMPTS) {
          expect(result.nextAttemptAt).not.toBeNull();
          now = result.nextAttemptAt!;
        } else {
          expect(result.failed).toEqual([{ channel: "webhook", error: "webhook: HTTP 500 broken", retryAt: null }]);
          expect(result.nextAttemptAt).toBeNull();
        }
      }
      const rows = await deliveries(alert!.id);
      expect(rows.map((r) => [r.channel, r.status, r.attempts])).toEqual([
        ["email", "SENT", 1],
        ["slack", "SENT", 1],
        ["webhook", "FAILED", DELIVERY_MAX_ATTEMPTS],
      ]);
      const stored = await pgPool().query(`SELECT status, notified_channels FROM alert WHERE id = $1`, [alert!.id]);
      expect(stored.rows[0]).toEqual({ status: "OPEN", notified_channels: ["email", "slack"] });
    } finally {
      http.failAlways(WEBHOOK_PATH, null);
    }
  });

  it("SMTP unreachable: the alert is kept, Slack and the webhook are notified at once, the email goes out when the server is back", async () => {
    const mailServer = await startSmtpReceiver({ user: SMTP_USER, password: SMTP_PASSWORD });
    const port = mailServer.port;
    const viaDownServer = localChannels(http, mailServer);
    await mailServer.close(); // nothing listens on the SMTP port now
    const { alert } = await notifyAdmins(failure("smtp-down.myshopify.com"), {
      now: T0,
      channels: viaDownServer,
      enqueue: false,
    });
    const slackBefore = http.received(SLACK_PATH).length;

    const first = await dispatchAlert(alert!.id, { now: T0, channels: viaDownServer });
    expect(first.sent.sort()).toEqual(["slack", "webhook"]);
    expect(first.failed).toEqual([
      { channel: "email", error: expect.stringMatching(/ECONNREFUSED/), retryAt: seconds(30) },
    ]);
    expect(http.received(SLACK_PATH).length).toBe(slackBefore + 1);
    const stored = await pgPool().query(`SELECT status, notified_channels FROM alert WHERE id = $1`, [alert!.id]);
    expect(stored.rows[0]).toEqual({ status: "OPEN", notified_channels: ["slack", "webhook"] });
    expect((await deliveries(alert!.id)).find((d) => d.channel === "email")).toMatchObject({
      status: "PENDING",
      attempts: 1,
    });

    // The mail server is back on its port: the retry delivers the email, and only the email.
    const back = await startSmtpReceiver({ user: SMTP_USER, password: SMTP_PASSWORD }, { port });
    try {
      const retry = await dispatchAlert(alert!.id, { now: seconds(30), channels: viaDownServer });
      expect(retry).toEqual({ sent: ["email"], failed: [], nextAttemptAt: null });
      expect(back.mails).toHaveLength(1);
      expect(http.received(SLACK_PATH).length).toBe(slackBefore + 1);
    } finally {
      await back.close();
    }
  });

  it("SMTP rejecting (550 for every recipient): the alert is kept, the other channels notified, the email retried until accepted", async () => {
    smtp.rejectRecipients({ code: 550, message: "5.1.1 Mailbox unavailable" });
    try {
      const { alert } = await notifyAdmins(failure("smtp-rejects.myshopify.com"), {
        now: T0,
        channels,
        enqueue: false,
      });
      const mailsBefore = smtp.mails.length;
      const first = await dispatchAlert(alert!.id, { now: T0, channels });
      expect(first.sent.sort()).toEqual(["slack", "webhook"]);
      expect(first.failed).toEqual([{ channel: "email", error: expect.stringMatching(/550/), retryAt: seconds(30) }]);
      const second = await dispatchAlert(alert!.id, { now: seconds(30), channels });
      expect(second.failed).toEqual([{ channel: "email", error: expect.stringMatching(/550/), retryAt: seconds(90) }]);
      expect(smtp.mails.length).toBe(mailsBefore);
      const stored = await pgPool().query(`SELECT status, notified_channels FROM alert WHERE id = $1`, [alert!.id]);
      expect(stored.rows[0]).toEqual({ status: "OPEN", notified_channels: ["slack", "webhook"] });

      smtp.rejectRecipients(null);
      const third = await dispatchAlert(alert!.id, { now: seconds(90), channels });
      expect(third).toEqual({ sent: ["email"], failed: [], nextAttemptAt: null });
      expect(smtp.mails.length).toBe(mailsBefore + 1);
    } finally {
      smtp.rejectRecipients(null);
    }
  });

  it("records an unreachable channel's error without its secret URL", async () => {
    const down = await startHttpReceiver();
    const unreachable = localChannels(down, smtp);
    await down.close(); // nothing listens there any more
    const { alert } = await notifyAdmins(failure("unreachable.myshopify.com"), {
      now: T0,
      channels: unreachable,
      enqueue: false,
    });
    const result = await dispatchAlert(alert!.id, { now: T0, channels: unreachable });
    expect(result.failed.map((f) => f.error).sort()).toEqual(["slack: ECONNREFUSED", "webhook: ECONNREFUSED"]);
    const { rows } = await pgPool().query<{ errors: string }>(
      `SELECT string_agg(coalesce(last_error, ''), ' ') AS errors FROM alert_delivery WHERE alert_id = $1`,
      [alert!.id],
    );
    expect(rows[0].errors).not.toContain("secret");
    expect(rows[0].errors).not.toContain(down.url);
  });

  it("is swept up when its dispatch job was never queued", async () => {
    const { alert } = await notifyAdmins(failure("swept.myshopify.com"), { now: T0, channels, enqueue: false });
    const before = smtp.mails.length;
    const dispatched = await dispatchDueDeliveries({ now: seconds(300), channels });
    expect(dispatched).toContain(alert!.id);
    expect(smtp.mails.length).toBe(before + 1);
    expect((await deliveries(alert!.id)).every((d) => d.status === "SENT")).toBe(true);
  });
});
