import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchAlert } from "../../app/alerts/dispatch.server";
import { notifyAdmins } from "../../app/alerts/notify-admins.server";
import { recordSyncRecovery } from "../../app/alerts/resolve.server";
import { findStaleShops, watchStaleness } from "../../app/alerts/staleness.server";
import { recordSyncEvent } from "../../app/analytics/record-sync-event.server";
import { pgPool } from "../../app/db.server";
import { localChannels, SMTP_PASSWORD, SMTP_USER, WEBHOOK_PATH } from "./support/channels";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "./support/receivers";

let http: HttpReceiver;
let smtp: SmtpReceiver;
let channels: ReturnType<typeof localChannels>;
const NOW = new Date("2026-11-20T12:00:00Z");
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);

beforeAll(async () => {
  http = await startHttpReceiver();
  smtp = await startSmtpReceiver({ user: SMTP_USER, password: SMTP_PASSWORD });
  channels = localChannels(http, smtp);
});
afterAll(async () => {
  await http?.close();
  await smtp?.close();
});

describe("recovery", () => {
  it("resolves the incident when the same kind of sync succeeds and sends a RECOVERED notification", async () => {
    const shop = "recovers.myshopify.com";
    const failure = {
      type: "SYNC_FAILURE",
      severity: "CRITICAL" as const,
      shop,
      jobType: "product-sync",
      title: `Product sync failed for ${shop}`,
    };
    const { alert } = await notifyAdmins(failure, { now: hoursAgo(2), channels, enqueue: false });
    await dispatchAlert(alert!.id, { now: hoursAgo(2), channels });

    // Another kind of sync succeeding does not end this incident.
    expect(await recordSyncRecovery(shop, "inventory-sync", { now: hoursAgo(1), channels, enqueue: false })).toEqual(
      [],
    );

    const resolved = await recordSyncRecovery(shop, "product-sync", { now: NOW, channels, enqueue: false });
    expect(resolved.map((a) => [a.id, a.status, a.resolvedAt])).toEqual([[alert!.id, "RESOLVED", NOW]]);

    const before = smtp.mails.length;
    const result = await dispatchAlert(alert!.id, { now: NOW, channels });
    expect(result.sent.sort()).toEqual(["email", "slack", "webhook"]);
    expect(smtp.mails.slice(before).map((m) => m.subject)).toEqual([`[RECOVERED] Product sync failed for ${shop}`]);
    expect(http.received(WEBHOOK_PATH).at(-1)!.json).toMatchObject({
      event: "alert.recovered",
      alert: { status: "RESOLVED" },
    });

    // The next failure is a new incident with its own alert and its own FIRING notification.
    const next = await notifyAdmins(failure, { now: NOW, channels, enqueue: false });
    expect(next.outcome).toBe("opened");
    expect(next.alert!.id).not.toBe(alert!.id);
  });

  it("is triggered by recording a successful sync event of the same kind", async () => {
    const shop = "records.myshopify.com";
    const failure = {
      type: "SYNC_FAILURE",
      severity: "CRITICAL" as const,
      shop,
      jobType: "inventory-sync",
      title: "Inventory sync failed",
    };
    const { alert } = await notifyAdmins(failure, { now: hoursAgo(1), channels, enqueue: false });
    const status = async () =>
      (await pgPool().query(`SELECT status FROM alert WHERE id = $1`, [alert!.id])).rows[0].status;

    await recordSyncEvent({ shop, eventType: "INVENTORY_SYNC", status: "FAILURE", createdAt: NOW });
    await recordSyncEvent({ shop, eventType: "PRODUCT_SYNC", status: "SUCCESS", createdAt: NOW });
    await recordSyncEvent({ shop, eventType: "INVENTORY_SYNC", status: "PARTIAL", createdAt: NOW });
    await recordSyncEvent({
      shop,
      eventType: "INVENTORY_SYNC",
      status: "SUCCESS",
      createdAt: NOW,
      skipAlertRecovery: true,
    });
    expect(await status()).toBe("OPEN");

    await recordSyncEvent({ shop, eventType: "INVENTORY_SYNC", status: "SUCCESS", createdAt: NOW });
    expect(await status()).toBe("RESOLVED");
  });

  it("cancels a notification that had not gone out when the incident resolved, and announces no recovery", async () => {
    const shop = "brief.myshopify.com";
    const { alert } = await notifyAdmins(
      { type: "SYNC_FAILURE", severity: "CRITICAL", shop, jobType: "product-sync", title: "Product sync failed" },
      { now: hoursAgo(1), channels, enqueue: false },
    );
    await recordSyncRecovery(shop, "product-sync", { now: NOW, channels, enqueue: false });
    const before = { http: http.requests.length, mails: smtp.mails.length };
    expect(await dispatchAlert(alert!.id, { now: NOW, channels })).toEqual({
      sent: [],
      failed: [],
      nextAttemptAt: null,
    });
    expect({ http: http.requests.length, mails: smtp.mails.length }).toEqual(before);
    const { rows } = await pgPool().query(`SELECT kind, status FROM alert_delivery WHERE alert_id = $1`, [alert!.id]);
    expect(rows).toEqual([
      { kind: "FIRING", status: "CANCELED" },
      { kind: "FIRING", status: "CANCELED" },
      { kind: "FIRING", status: "CANCELED" },
    ]);
  });

  it("resolves quietly an alert that was never announced", async () => {
    const shop = "quiet.myshopify.com";
    const { alert } = await notifyAdmins(
      { type: "SYNC_FAILURE", severity: "CRITICAL", shop, jobType: "inventory-sync", title: "Inventory sync failed" },
      { now: hoursAgo(1), channels: [] },
    );
    const resolved = await recordSyncRecovery(shop, "inventory-sync", { now: NOW, channels, enqueue: false });
    expect(resolved.map((a) => a.id)).toEqual([alert!.id]);
    const { rows } = await pgPool().query(`SELECT count(*)::int AS n FROM alert_delivery WHERE alert_id = $1`, [
      alert!.id,
    ]);
    expect(rows[0].n).toBe(0);
  });
});

describe("staleness watch", () => {
  async function connection(shop: string, fields: Record<string, unknown>) {
    const values = {
      shop,
      merchant_id: shop,
      active: true,
      approval_status: "APPROVED",
      sync_paused: false,
      installed_at: hoursAgo(24 * 30),
      approval_changed_at: hoursAgo(24 * 30),
      last_product_sync_at: hoursAgo(1),
      last_inventory_sync_at: hoursAgo(0.5),
      ...fields,
    };
    const columns = Object.keys(values);
    await pgPool().query(
      `INSERT INTO merchant_connection (${columns.join(", ")}, updated_at)
       VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")}, now())`,
      Object.values(values),
    );
  }

  beforeAll(async () => {
    await connection("fresh.myshopify.com", {});
    await connection("old-products.myshopify.com", { last_product_sync_at: hoursAgo(27) });
    await connection("almost-old.myshopify.com", {
      last_product_sync_at: hoursAgo(25),
      last_inventory_sync_at: hoursAgo(2),
    });
    await connection("old-inventory.myshopify.com", { last_inventory_sync_at: hoursAgo(4) });
    await connection("never-synced.myshopify.com", {
      last_product_sync_at: null,
      last_inventory_sync_at: null,
      approval_changed_at: hoursAgo(30),
    });
    await connection("just-approved.myshopify.com", {
      last_product_sync_at: null,
      last_inventory_sync_at: null,
      approval_changed_at: hoursAgo(1),
    });
    await connection("paused.myshopify.com", { sync_paused: true, last_product_sync_at: hoursAgo(100) });
    await connection("pending.myshopify.com", { approval_status: "PENDING", last_product_sync_at: hoursAgo(100) });
    await connection("uninstalled.myshopify.com", { active: false, last_product_sync_at: hoursAgo(100) });
    // Resumed after a long pause: the grace period counts from the resumption, as for a newly approved shop.
    await connection("just-resumed.myshopify.com", {
      last_product_sync_at: hoursAgo(100),
      last_inventory_sync_at: hoursAgo(100),
      sync_paused_changed_at: hoursAgo(1),
    });
    await connection("reapproved.myshopify.com", {
      last_product_sync_at: hoursAgo(100),
      last_inventory_sync_at: hoursAgo(100),
      approval_changed_at: hoursAgo(2),
    });
  });

  it("finds exactly the watched shops whose last success (or approval, install, resumption) is older than 26 h (products) or 3 h (inventory)", async () => {
    const stale = await findStaleShops(NOW);
    expect(stale.map((s) => `${s.shop} ${s.jobType}`)).toEqual([
      "never-synced.myshopify.com inventory-sync",
      "never-synced.myshopify.com product-sync",
      "old-inventory.myshopify.com inventory-sync",
      "old-products.myshopify.com product-sync",
    ]);
  });

  it("starts a resumed or re-approved shop's clock again: stale only once the threshold has passed since then", async () => {
    const watchedLater = async (hours: number) =>
      (await findStaleShops(new Date(NOW.getTime() + hours * 3_600_000)))
        .filter((s) => s.shop === "just-resumed.myshopify.com" || s.shop === "reapproved.myshopify.com")
        .map((s) => `${s.shop} ${s.jobType}`);
    expect(await watchedLater(0.5)).toEqual([]);
    expect(await watchedLater(1.5)).toEqual(["reapproved.myshopify.com inventory-sync"]);
    expect(await watchedLater(2.5)).toEqual([
      "just-resumed.myshopify.com inventory-sync",
      "reapproved.myshopify.com inventory-sync",
    ]);
    expect(await watchedLater(25.5)).toEqual([
      "just-resumed.myshopify.com inventory-sync",
      "just-resumed.myshopify.com product-sync",
      "reapproved.myshopify.com inventory-sync",
      "reapproved.myshopify.com product-sync",
    ]);
  });

  it("alerts once per stale shop and kind, even though no job failed, and recovers when the shop syncs", async () => {
    const first = await watchStaleness(NOW, { channels, enqueue: false });
    expect(first.stale.map((r) => [r.alert!.shop, r.alert!.jobType, r.outcome])).toEqual(
      [
        ["old-products.myshopify.com", "product-sync", "opened"],
        ["old-inventory.myshopify.com", "inventory-sync", "opened"],
        ["never-synced.myshopify.com", "product-sync", "opened"],
        ["never-synced.myshopify.com", "inventory-sync", "opened"],
      ].sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`)),
    );
    expect(first.stale[0].alert).toMatchObject({ type: "SYNC_STALE", severity: "WARNING" });
    // old-products' alert goes out; never-synced's has not gone out yet when it recovers below.
    const oldProducts = first.stale.find((r) => r.alert!.shop === "old-products.myshopify.com")!.alert!;
    expect((await dispatchAlert(oldProducts.id, { now: NOW, channels })).sent).toHaveLength(3);

    // The watch runs again 15 minutes later: the same incidents, bumped, not re-sent.
    const later = new Date(NOW.getTime() + 15 * 60_000);
    const second = await watchStaleness(later, { channels, enqueue: false, cooldownMinutes: 60 });
    expect(second.stale.map((r) => r.outcome)).toEqual(["repeated", "repeated", "repeated", "repeated"]);
    expect(second.recovered).toEqual([]);

    // old-products syncs (the job would set last_product_sync_at and call recordSyncRecovery; here only the former).
    await pgPool().query(
      `UPDATE merchant_connection SET last_product_sync_at = $1 WHERE shop = 'old-products.myshopify.com'`,
      [later],
    );
    // never-synced is paused by an admin: it should no longer be watched.
    await pgPool().query(`UPDATE merchant_connection SET sync_paused = true WHERE shop = 'never-synced.myshopify.com'`);
    const third = await watchStaleness(new Date(NOW.getTime() + 30 * 60_000), { channels, enqueue: false });
    expect(third.stale.map((r) => r.alert!.shop)).toEqual(["old-inventory.myshopify.com"]);
    expect(third.recovered.map((a) => `${a.shop} ${a.jobType} ${a.status}`).sort()).toEqual([
      "never-synced.myshopify.com inventory-sync RESOLVED",
      "never-synced.myshopify.com product-sync RESOLVED",
      "old-products.myshopify.com product-sync RESOLVED",
    ]);
    const { rows } = await pgPool().query(
      `SELECT a.shop, d.kind, d.status, count(*)::int AS n FROM alert_delivery d JOIN alert a ON a.id = d.alert_id
        WHERE a.type = 'SYNC_STALE' AND a.shop IN ('never-synced.myshopify.com', 'old-products.myshopify.com')
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );
    expect(rows).toEqual([
      // never told, so never told it recovered: the waiting notifications are canceled, not sent late
      { shop: "never-synced.myshopify.com", kind: "FIRING", status: "CANCELED", n: 6 },
      { shop: "old-products.myshopify.com", kind: "FIRING", status: "SENT", n: 3 },
      { shop: "old-products.myshopify.com", kind: "RECOVERED", status: "PENDING", n: 3 },
    ]);
  });

  it("is also resolved by a successful sync's recordSyncRecovery", async () => {
    const resolved = await recordSyncRecovery("old-inventory.myshopify.com", "inventory-sync", {
      now: NOW,
      channels,
      enqueue: false,
    });
    expect(resolved.map((a) => a.type)).toEqual(["SYNC_STALE"]);
  });
});
