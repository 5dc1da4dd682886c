import type { FrameLocator, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import type { DemoStack, DemoStackOptions } from "../../scripts/lib/demo-stack";
import { DESKTOP_CHROME_USER_AGENT, openBrowserPage, type BrowserSession } from "./browser";
import { startProductionStack } from "./production-build";

/** What a merchant's browser test works with: the app as production runs it, Chromium passing for a desktop browser,
 * and the frame (#app) in which the emulated Shopify admin (emulator/admin-frame.ts) opens the app. */
export interface EmulatedAdmin {
  readonly stack: DemoStack;
  readonly page: Page;
  readonly app: FrameLocator;
  /** What the page reported: uncaught errors. */
  readonly errors: string[];
}

/** Starts the stack and Chromium before the file's tests and closes both after them (Chromium first, printing what
 * the page reported). Read the fields inside tests only. */
export function setUpEmulatedAdmin(options: Omit<DemoStackOptions, "databaseUrl" | "build">): EmulatedAdmin {
  let stack: DemoStack | undefined;
  let browser: BrowserSession | undefined;
  beforeAll(async () => {
    stack = await startProductionStack(options);
    browser = await openBrowserPage({ userAgent: DESKTOP_CHROME_USER_AGENT });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  }, 60_000);
  const started = () => {
    if (!stack || !browser) throw new Error("setUpEmulatedAdmin: the stack is not started (read it inside a test)");
    return { stack, browser };
  };
  return {
    get stack() {
      return started().stack;
    },
    get page() {
      return started().browser.page;
    },
    get app() {
      return started().browser.page.frameLocator("#app");
    },
    get errors() {
      return started().browser.errors;
    },
  };
}
