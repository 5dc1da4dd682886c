import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

// Debian's Chromium (installed by .ci/run; never a browser downloaded by a test tool), driven by playwright-core.

const CHROMIUM = "/usr/bin/chromium";
export const ARTIFACTS = path.resolve("tests/artifacts/e2e");

// Headless Chromium names itself "HeadlessChrome", which the Shopify library turns away as a bot (410).
export { DESKTOP_CHROME_USER_AGENT } from "../../scripts/lib/embedded-app-url";

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    // Without the background-networking flags Chromium keeps trying to reach Google on a machine with no network.
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
    ],
  });
}

/** Saves a full-page screenshot as a test artifact (tests/artifacts/e2e/<name>.png). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export interface BrowserSession {
  page: Page;
  /** What the page reported: uncaught errors, and console errors when asked for. */
  errors: string[];
  /** Prints what the page reported, if anything (so a failure shows the page's own errors), and closes Chromium. */
  close(): Promise<void>;
}

/** Chromium with one desktop-sized page that collects its own errors, for a browser test file. */
export async function openBrowserPage(
  options: { userAgent?: string; consoleErrors?: boolean } = {},
): Promise<BrowserSession> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, userAgent: options.userAgent });
  // Server round trips on a busy 2-core machine, not a dev server's compiles: 20 s is plenty.
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror ${page.url()}: ${error.message}`));
  if (options.consoleErrors) {
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`console: ${message.text()}`);
    });
  }
  return {
    page,
    errors,
    async close() {
      if (errors.length > 0) console.log(`[e2e] browser errors:\n${errors.join("\n")}`);
      await browser.close();
    },
  };
}
