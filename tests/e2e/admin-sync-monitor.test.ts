import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrResetAdminAccount } from "../../app/admin-auth/admin-accounts.server";
import { pgPool, prisma } from "../../app/db.server";
import { getSyncMonitorStats } from "../../app/monitoring/sync-monitor-stats.server";
import { addDays, parseSyncMonitorQuery } from "../../app/monitoring/sync-monitor-query";
import { openBrowserPage, screenshot, type BrowserSession } from "../support/browser";
import { startProductionStack } from "../support/production-build";
import { DEMO_SHOPS, type DemoStack } from "../../scripts/lib/demo-stack";

// The platform admin's sync monitor in Debian's Chromium, against the app as production runs it (this run's
// production build, emulator, this file's database) with seeded sync events: sign in, filter by merchant and type, see the
// table and the statistics change, the back button, open an event, sign out. Screenshots go to tests/artifacts/e2e.

const EMAIL = "e2e-operator@marketplace.test";
const PASSWORD = "e2e-password-not-secret";

let stack: DemoStack | undefined;
let browser: BrowserSession | undefined;
let page: Page;
// Server round trips on a busy 2-core machine (and scrypt on sign-in) take longer than expect.poll's 1 s default.
const SLOW = { timeout: 30_000, interval: 200 };

async function expectedTotal(search: string): Promise<string> {
  const { query } = parseSyncMonitorQuery(new URLSearchParams(search));
  return (await getSyncMonitorStats(query)).total.toLocaleString("en");
}

const shot = (name: string) => screenshot(page, name);

/** The day labels (MM-DD) on a chart's x-axis, left to right. */
async function chartDays(testId: string): Promise<string[]> {
  const texts = await page.locator(`[data-testid="${testId}"] svg text`).allTextContents();
  return texts.map((text) => text.trim()).filter((text) => /^\d\d-\d\d$/.test(text));
}

beforeAll(async () => {
  for (const shop of DEMO_SHOPS) {
    await prisma.merchantConnection.create({
      data: {
        shop: shop.domain,
        merchantId: `merchant-${shop.domain.split(".")[0]}`,
        shopName: shop.name,
        approvalStatus: "APPROVED",
      },
    });
  }
  // Six days of events, every few minutes, spread over the shops, types and statuses, with failures that carry a
  // message and metadata.
  await pgPool().query(
    `INSERT INTO sync_event (shop, event_type, status, item_count, processing_time_ms, error_message, metadata, created_at)
     SELECT ($1::text[])[1 + g % 3],
            (ARRAY['INVENTORY_SYNC','INVENTORY_SYNC','PRODUCT_SYNC','WEBHOOK','BULK_OPERATION','DATA_INTEGRITY'])[1 + (g * 7) % 6]::"SyncEventType",
            (CASE WHEN g % 11 = 0 THEN 'FAILURE' WHEN g % 17 = 0 THEN 'PARTIAL' ELSE 'SUCCESS' END)::"SyncEventStatus",
            (g * 37) % 900, 40 + (g * 7919) % 20000,
            CASE WHEN g % 11 = 0 THEN 'Throttled by Shopify after 3 attempts (event ' || g || ')' END,
            jsonb_build_object('attempt', 1 + g % 3, 'jobId', 'job-' || g),
            now() - make_interval(mins => 1 + g * 4)
       FROM generate_series(0, 2000) AS g`,
    [DEMO_SHOPS.map((s) => s.domain)],
  );
  await createOrResetAdminAccount({ email: EMAIL, role: "OPERATOR", password: PASSWORD });

  const started = performance.now();
  stack = await startProductionStack({
    apiKey: "e2e-api-key",
    apiSecret: "e2e-api-secret-0123456789",
    seedProducts: false,
    // The crontab could add events mid-test; this file reads seeded events only.
    worker: false,
  });
  browser = await openBrowserPage({ consoleErrors: true });
  page = browser.page;
  console.log(`[e2e] app and browser up in ${Math.round(performance.now() - started)} ms`);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
}, 60_000);

describe("platform admin: sync monitor in Chromium", () => {
  it("sends a signed-out visitor to the sign-in page and refuses a wrong password", async () => {
    await page.goto(`${stack!.appUrl}/admin/sync-monitor?type=WEBHOOK`);
    await page.waitForURL(/\/admin\/login\?redirectTo=/);
    await page.getByLabel("Email").fill(EMAIL);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByText("Incorrect email or password").count(), SLOW).toBe(1);
    await shot("01-sign-in-refused");
  }, 120_000);

  it("signs in and lands on the page it asked for, with statistics, charts and the table", async () => {
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/admin\/sync-monitor\?type=WEBHOOK$/);
    await page.goto(`${stack!.appUrl}/admin/sync-monitor`);
    await expect.poll(() => page.getByTestId("admin-email").textContent(), SLOW).toBe(EMAIL);
    expect(await page.getByTestId("stat-total").textContent()).toBe(await expectedTotal(""));
    await shot("02-sync-monitor-before-charts");
    // polaris-viz draws after hydration (client-only); wait for its SVG.
    await page.locator('[data-testid="chart-volume"] svg').first().waitFor();
    await page.locator('[data-testid="chart-success-rate"] svg').first().waitFor();
    expect(await page.locator("table tbody tr").count()).toBe(50);
    // Both charts name every day of the range, the same days (a line chart once left the last one out).
    // The range is the page's own (its subtitle), not a date this test computes.
    const subtitle = await page.getByText(/^\d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d \(UTC\)$/).textContent();
    const [fromDay, toDay] = subtitle!.split(" ").filter((part) => /^\d{4}/.test(part));
    const rangeDays = Array.from({ length: 7 }, (_, i) => addDays(fromDay, i).slice(5));
    expect(rangeDays.at(-1)).toBe(toDay.slice(5));
    expect(await chartDays("chart-volume")).toEqual(rangeDays);
    expect(await chartDays("chart-success-rate")).toEqual(rangeDays);
    await shot("02-sync-monitor");
  }, 120_000);

  it("filters by merchant and type: the URL, the table and the statistics change; back returns", async () => {
    const before = await page.getByTestId("stat-total").textContent();
    await page.locator('select[name="shop"]').selectOption("birch-and-bloom.myshopify.com");
    await page.locator('select[name="type"]').selectOption("INVENTORY_SYNC");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/shop=birch-and-bloom\.myshopify\.com&type=INVENTORY_SYNC/);
    const filtered = await expectedTotal(new URL(page.url()).search);
    await expect.poll(() => page.getByTestId("stat-total").textContent(), SLOW).toBe(filtered);
    expect(filtered).not.toBe(before);
    const merchants = await page.locator("table tbody tr td:nth-child(2)").allTextContents();
    const types = await page.locator("table tbody tr td:nth-child(3)").allTextContents();
    expect(merchants.length).toBeGreaterThan(0);
    expect(new Set(merchants)).toEqual(new Set(["birch-and-bloom"]));
    expect(new Set(types)).toEqual(new Set(["Inventory sync"]));
    await page.locator('[data-testid="chart-volume"] svg').first().waitFor();
    await shot("03-filtered");

    await page.goBack();
    await expect.poll(() => page.getByTestId("stat-total").textContent(), SLOW).toBe(before);
    await page.goForward();
    await expect.poll(() => page.getByTestId("stat-total").textContent(), SLOW).toBe(filtered);
  }, 120_000);

  it("pages with the keyset cursor and sorts by duration", async () => {
    const firstPage = await page.locator("table tbody tr td:nth-child(1)").allTextContents();
    await page.getByRole("link", { name: "Next" }).or(page.locator("#nextURL")).first().click();
    await page.waitForURL(/after=/);
    const secondPage = await page.locator("table tbody tr td:nth-child(1)").allTextContents();
    expect(secondPage.filter((t) => firstPage.includes(t))).toEqual([]);
    await page.getByRole("button", { name: "Duration" }).click();
    await page.waitForURL(/sort=processing_time/);
    expect(page.url()).not.toContain("after=");
  }, 120_000);

  it("opens an event with its error and metadata", async () => {
    await page.goto(`${stack!.appUrl}/admin/sync-monitor?status=FAILURE`);
    await page.locator("table tbody tr a").first().click();
    await page.waitForURL(/\/admin\/sync-monitor\/\d+$/);
    await expect
      .poll(() => page.getByTestId("event-error").textContent(), SLOW)
      .toMatch(/^Throttled by Shopify after 3 attempts/);
    expect(JSON.parse((await page.getByTestId("event-metadata").textContent())!)).toMatchObject({
      attempt: expect.any(Number),
    });
    await shot("04-event-detail");
  }, 120_000);

  it("signs out; the monitor then asks to sign in again", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/admin\/login$/);
    await page.goto(`${stack!.appUrl}/admin/sync-monitor`);
    await page.waitForURL(/\/admin\/login\?redirectTo=/);
  }, 120_000);
});
