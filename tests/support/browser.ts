import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

// Debian's Chromium (installed by .ci/run; never a browser downloaded by a test tool), driven by playwright-core.

const CHROMIUM = "/usr/bin/chromium";
export const ARTIFACTS = path.resolve("tests/artifacts/e2e");

// Headless Chromium names itself "HeadlessChrome", which the Shopify library turns away as a bot (410).
export { DESKTOP_CHROME_USER_AGENT } from "./embedded-app-url";

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    // Without the background-networking flags Chromium keeps trying to reach Google on a machine with no network.
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"],
  });
}

/** Saves a full-page screenshot as a test artifact (tests/artifacts/e2e/<name>.png). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}
