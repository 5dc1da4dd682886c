import { runMigrations } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchAlert } from "../../app/alerts/dispatch.server";
import { acknowledgeAlert } from "../../app/alerts/acknowledge.server";
import { notifyAdmins } from "../../app/alerts/notify-admins.server";
import { signBody } from "../../app/alerts/channels/webhook.server";
import { pgPool } from "../../app/db.server";
import { localChannels, SLACK_PATH, SMTP_USER, WEBHOOK_PATH, WEBHOOK_SECRET } from "./support/channels";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "./support/receivers";
import { queuedJobs } from "../support/jobs";

let http: HttpReceiver;
let smtp: SmtpReceiver;
let channels: ReturnType<typeof localChannels>;

const T0 = new Date("2026-11-20T10:00:00Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

beforeAll(async () => {
  await runMigrations({ connectionString: process.env.DATABASE_URL });
  http = await startHttpReceiver();
  smtp = await startSmtpReceiver({ user: SMTP_USER, password: "smtp-secret-password" });
  channels = localChannels(http, smtp);
});
afterAll(async () => {
  await http?.close();
  await smtp?.close();
});

async function deliveriesOf(alertId: number) {
  const { rows } = await pgPool().query<{ channel: string; kind: string; status: string }>(
    `SELECT channel, kind, status FROM alert_delivery WHERE alert_id = $1 ORDER BY id`,
    [alertId],
  );
  return rows;
}

function failure(shop: string, jobType = "product-sync") {
  return {
    type: "SYNC_FAILURE",
    severity: "CRITICAL" as const,
    shop,
    jobType,
    title: `Product sync failed for ${shop}`,
    data: { error: "Bulk operation FAILED: INTERNAL_SERVER_ERROR" },
  };
}

describe("notifyAdmins and dispatch", () => {
  it("stores the alert, queues one dispatch job, and delivers it to Slack, email and the JSON webhook", async () => {
    const { outcome, alert } = await notifyAdmins(failure("deliver.myshopify.com"), { now: T0, channels });
    expect(outcome).toBe("opened");
    expect(alert).toMatchObject({
      status: "OPEN",
      occurrences: 1,
      dedupeKey: "SYNC_FAILURE:deliver.myshopify.com:product-sync",
    });
    expect(alert!.lastNotifiedAt).toEqual(T0);

    const jobs = (await queuedJobs()).map((job) => ({
      identifier: job.task_identifier,
      key: job.key,
      payload: job.payload,
    }));
    expect(jobs).toEqual([
      { identifier: "alerts-dispatch", key: `alerts-dispatch:${alert!.id}`, payload: { alertId: alert!.id } },
    ]);
    expect(await deliveriesOf(alert!.id)).toEqual([
      { channel: "slack", kind: "FIRING", status: "PENDING" },
      { channel: "email", kind: "FIRING", status: "PENDING" },
      { channel: "webhook", kind: "FIRING", status: "PENDING" },
    ]);

    const result = await dispatchAlert(alert!.id, { now: T0, channels });
    expect(result).toEqual({
      sent: expect.arrayContaining(["slack", "email", "webhook"]),
      failed: [],
      nextAttemptAt: null,
    });

    const [slack] = http.received(SLACK_PATH);
    expect((slack.json as { text: string }).text).toContain(
      "*[CRITICAL] Product sync failed for deliver.myshopify.com*",
    );
    expect((slack.json as { text: string }).text).toContain("Error: Bulk operation FAILED: INTERNAL_SERVER_ERROR");

    const [hook] = http.received(WEBHOOK_PATH);
    expect(hook.json).toMatchObject({
      event: "alert.firing",
      alert: { id: alert!.id, type: "SYNC_FAILURE", shop: "deliver.myshopify.com", jobType: "product-sync" },
    });
    expect(hook.headers["x-signature-sha256"]).toBe(signBody(WEBHOOK_SECRET, hook.body));
    expect(hook.headers["x-alert-delivery-id"]).toMatch(/^\d+$/);

    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]).toMatchObject({
      user: SMTP_USER,
      from: "alerts@marketplace.test",
      to: ["ops@marketplace.test", "oncall@marketplace.test"],
      subject: "[CRITICAL] Product sync failed for deliver.myshopify.com",
    });

    expect(await deliveriesOf(alert!.id)).toEqual([
      { channel: "slack", kind: "FIRING", status: "SENT" },
      { channel: "email", kind: "FIRING", status: "SENT" },
      { channel: "webhook", kind: "FIRING", status: "SENT" },
    ]);
    const stored = await pgPool().query(`SELECT notified_channels FROM alert WHERE id = $1`, [alert!.id]);
    expect(stored.rows[0].notified_channels).toEqual(["email", "slack", "webhook"]);

    // A second dispatch of the same alert (the job retried, or the sweep) sends nothing again.
    const again = await dispatchAlert(alert!.id, { now: minutes(1), channels });
    expect(again).toEqual({ sent: [], failed: [], nextAttemptAt: null });
    expect(http.received(SLACK_PATH)).toHaveLength(1);
  });

  it("bumps the open alert on repeats within the cool-down and sends nothing new", async () => {
    const shop = "dedupe.myshopify.com";
    const first = await notifyAdmins(failure(shop), { now: T0, channels, cooldownMinutes: 60 });
    const second = await notifyAdmins(failure(shop), { now: minutes(5), channels, cooldownMinutes: 60 });
    const third = await notifyAdmins(failure(shop), { now: minutes(59), channels, cooldownMinutes: 60 });
    expect([first.outcome, second.outcome, third.outcome]).toEqual(["opened", "repeated", "repeated"]);
    expect(third.alert).toMatchObject({
      id: first.alert!.id,
      occurrences: 3,
      firstSeenAt: T0,
      lastSeenAt: minutes(59),
    });
    expect(third.alert!.lastNotifiedAt).toEqual(T0);
    expect(await deliveriesOf(first.alert!.id)).toHaveLength(3); // the FIRING ones only

    // A different job type of the same shop is a different incident.
    const inventory = await notifyAdmins(failure(shop, "inventory-sync"), { now: minutes(6), channels });
    expect(inventory.outcome).toBe("opened");
    expect(inventory.alert!.id).not.toBe(first.alert!.id);
  });

  it("re-notifies (REMINDER) a repeat after the cool-down, but not an acknowledged alert", async () => {
    const shop = "cooldown.myshopify.com";
    const opened = await notifyAdmins(failure(shop), { now: T0, channels, cooldownMinutes: 60 });
    await dispatchAlert(opened.alert!.id, { now: T0, channels });
    const reminded = await notifyAdmins(failure(shop), { now: minutes(61), channels, cooldownMinutes: 60 });
    expect(reminded.outcome).toBe("renotified");
    expect(reminded.alert!.lastNotifiedAt).toEqual(minutes(61));
    expect((await deliveriesOf(opened.alert!.id)).map((d) => d.kind)).toEqual([
      "FIRING",
      "FIRING",
      "FIRING",
      "REMINDER",
      "REMINDER",
      "REMINDER",
    ]);

    const before = smtp.mails.length;
    await dispatchAlert(opened.alert!.id, { now: minutes(61), channels });
    expect(smtp.mails.slice(before).map((m) => m.subject)).toEqual([
      `[CRITICAL, still happening: 2 times] Product sync failed for ${shop}`,
    ]);

    const acknowledged = await acknowledgeAlert(opened.alert!.id, "ops@marketplace.test", minutes(62));
    expect(acknowledged).toMatchObject({ status: "ACKNOWLEDGED", acknowledgedBy: "ops@marketplace.test" });
    expect(await acknowledgeAlert(opened.alert!.id, "someone-else", minutes(63))).toBeNull();

    const later = await notifyAdmins(failure(shop), { now: minutes(200), channels, cooldownMinutes: 60 });
    expect(later.outcome).toBe("repeated");
    expect(later.alert).toMatchObject({ id: opened.alert!.id, status: "ACKNOWLEDGED", occurrences: 3 });
    expect(await deliveriesOf(opened.alert!.id)).toHaveLength(6);
  });

  it("does not queue a reminder behind a notification that has not gone out yet", async () => {
    const shop = "undelivered.myshopify.com";
    const opened = await notifyAdmins(failure(shop), { now: T0, channels, cooldownMinutes: 60, enqueue: false });
    const reminded = await notifyAdmins(failure(shop), {
      now: minutes(90),
      channels,
      cooldownMinutes: 60,
      enqueue: false,
    });
    expect(reminded.outcome).toBe("renotified");
    // The pending FIRING delivery is built when it is sent, so it already carries the repeat.
    expect((await deliveriesOf(opened.alert!.id)).map((d) => d.kind)).toEqual(["FIRING", "FIRING", "FIRING"]);
    const before = smtp.mails.length;
    await dispatchAlert(opened.alert!.id, { now: minutes(90), channels });
    expect(smtp.mails.slice(before).map((m) => m.subject)).toEqual([`[CRITICAL] Product sync failed for ${shop}`]);
    expect(http.received(WEBHOOK_PATH).at(-1)!.json).toMatchObject({ alert: { occurrences: 2 } });
  });

  it("opens exactly one alert when the same incident is reported concurrently", async () => {
    const shop = "concurrent.myshopify.com";
    const results = await Promise.all(
      Array.from({ length: 12 }, () => notifyAdmins(failure(shop), { now: T0, channels, enqueue: false })),
    );
    expect(results.filter((r) => r.outcome === "opened")).toHaveLength(1);
    expect(new Set(results.map((r) => r.alert!.id)).size).toBe(1);
    const { rows } = await pgPool().query(
      `SELECT count(*)::int AS alerts, max(occurrences) AS occurrences FROM alert WHERE shop = $1`,
      [shop],
    );
    expect(rows[0]).toEqual({ alerts: 1, occurrences: 12 });
    expect(await deliveriesOf(results[0].alert!.id)).toHaveLength(3);
  });

  it("never stores or sends a transient failure (throttling, a retry still to come)", async () => {
    const shop = "transient.myshopify.com";
    const before = { http: http.requests.length, mails: smtp.mails.length };
    const throttled = await notifyAdmins({ ...failure(shop), transient: true }, { now: T0, channels });
    const firstAttempt = await notifyAdmins({ ...failure(shop), attempt: 1, maxAttempts: 3 }, { now: T0, channels });
    const secondAttempt = await notifyAdmins({ ...failure(shop), attempt: 2, maxAttempts: 3 }, { now: T0, channels });
    expect([throttled, firstAttempt, secondAttempt]).toEqual([
      { outcome: "ignored-transient", alert: null },
      { outcome: "ignored-transient", alert: null },
      { outcome: "ignored-transient", alert: null },
    ]);
    const { rows } = await pgPool().query(`SELECT count(*)::int AS n FROM alert WHERE shop = $1`, [shop]);
    expect(rows[0].n).toBe(0);
    expect({ http: http.requests.length, mails: smtp.mails.length }).toEqual(before);

    // The last attempt's failure is not transient: it alerts.
    const last = await notifyAdmins({ ...failure(shop), attempt: 3, maxAttempts: 3 }, { now: T0, channels });
    expect(last.outcome).toBe("opened");
  });

  it("stores and shows an alert when no channel is configured, and queues nothing", async () => {
    const shop = "nochannel.myshopify.com";
    const jobsBefore = await pgPool().query(`SELECT count(*)::int AS n FROM graphile_worker.jobs`);
    const { outcome, alert } = await notifyAdmins(failure(shop), { now: T0, channels: [] });
    expect(outcome).toBe("opened");
    expect(alert).toMatchObject({ status: "OPEN", lastNotifiedAt: null });
    expect(await deliveriesOf(alert!.id)).toEqual([]);
    const jobsAfter = await pgPool().query(`SELECT count(*)::int AS n FROM graphile_worker.jobs`);
    expect(jobsAfter.rows[0].n).toBe(jobsBefore.rows[0].n);
  });
});
