import { spawn } from "node:child_process";
import { freePort } from "./scratch-server";
import { startEmulator, type RunningEmulator, type WebhookDeliveryPolicy } from "../../emulator";

// The app as `npm run demo` runs it, for the demo itself and for end-to-end tests: the Shopify emulator with the
// demo's seeded shops, and `scripts/serve.ts` (in-process worker) as a child process on the given database, talking
// to the emulator: with Vite's dev server as the demo runs it, or on a production build as `npm start` runs it (the
// browser tests). Installing and approving the shops is left to the caller.

export const DEMO_SHOPS = [
  { domain: "aurora-outfitters.myshopify.com", name: "Aurora Outfitters", plan: "PLUS", products: 1500, variants: 3 },
  {
    domain: "birch-and-bloom.myshopify.com",
    name: "Birch & Bloom",
    plan: "STANDARD",
    products: 250,
    variants: 2,
    edgeCases: true,
  },
  {
    domain: "cobalt-cycles.myshopify.com",
    name: "Cobalt Cycles",
    plan: "ADVANCED",
    products: 600,
    variants: 4,
    faultRate: 0.03,
  },
] as const;

/** The /metrics token of a stack on a production build (a test value, not a secret). */
export const DEMO_STACK_METRICS_TOKEN = "demo-stack-metrics-token-0123456789";

export interface DemoStackOptions {
  databaseUrl: string;
  apiKey: string;
  apiSecret: string;
  /** 0 picks a free port (tests); the demo uses fixed ones. */
  appPort?: number;
  emulatorPort?: number;
  /** The host in SHOPIFY_APP_URL. Not "localhost" makes Vite's HMR socket use FRONTEND_PORT (a free one), so
   * several stacks (a demo and a test run) can run side by side. */
  appHost?: "localhost" | "127.0.0.1";
  /** Seed the emulator's shops with products (the demo does; tests that only read the admin pages need not). */
  seedProducts?: boolean;
  /** Create the demo's three shops in the emulator (default true); the soak brings a population of its own. */
  demoShops?: boolean;
  /** The in-process worker; unset: as WORKER_IN_PROCESS says (on by default). */
  worker?: boolean;
  /** A production build's folder (`npm run build` output): serve it as `npm start` does, with NODE_ENV
   * "production" and an ADMIN_SESSION_SECRET of its own. Unset: Vite's dev server, as `npm run dev:local` does. */
  build?: string;
  /** "inherit" shows the app's output (the demo); "pipe" keeps it for `output()` (tests). */
  stdio?: "inherit" | "pipe";
  /** With "pipe": also hands each chunk of the app's output here as it comes (the soak writes it to a file). */
  onOutput?: (chunk: string) => void;
  env?: Record<string, string>;
  healthTimeoutMs?: number;
  /** Access tokens the app already holds for the demo shops (from an earlier run's sessions): the emulator is new
   * each run and would otherwise answer 401 to them, and the app would take the shops for uninstalled. */
  knownAccessTokens?: { shop: string; accessToken: string }[];
  /** The emulator's webhook timeouts and retries; unset: Shopify's (5 s, 8 retries over 4 hours). */
  webhookDelivery?: WebhookDeliveryPolicy;
}

export interface DemoStack {
  appUrl: string;
  emulator: RunningEmulator;
  /** What the app printed so far (stdio "pipe" only). */
  output(): string;
  /** Stops the app (SIGTERM, then waits for it to exit) and the emulator. */
  stop(): Promise<void>;
}

async function waitForHealthy(appUrl: string, timeoutMs: number, exited: () => boolean) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error("The app exited before it became healthy");
    const response = await fetch(`${appUrl}/healthz`).catch(() => undefined);
    if (response?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`The app did not become healthy at ${appUrl}/healthz`);
}

export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  const appPort = options.appPort || (await freePort());
  const appUrl = `http://${options.appHost ?? "127.0.0.1"}:${appPort}`;
  const emulator = await startEmulator({
    port: options.emulatorPort ?? 0,
    appUrl,
    apiKey: options.apiKey,
    apiSecret: options.apiSecret,
    webhookDelivery: options.webhookDelivery,
  });
  for (const shop of options.demoShops === false ? [] : DEMO_SHOPS) {
    if (emulator.control.listShops().some((s) => s.domain === shop.domain)) continue;
    emulator.control.createShop({
      domain: shop.domain,
      name: shop.name,
      plan: shop.plan,
      locations: ["Main warehouse", "Pop-up store"],
    });
    if (options.seedProducts ?? true) {
      emulator.control.seedProducts({
        shop: shop.domain,
        products: shop.products,
        variantsPerProduct: shop.variants,
        seed: 42,
        edgeCases: "edgeCases" in shop,
      });
    }
  }
  for (const { shop, accessToken } of options.knownAccessTokens ?? []) {
    if (DEMO_SHOPS.some((s) => s.domain === shop)) emulator.control.addAccessToken({ shop, token: accessToken });
  }

  const stdio = options.stdio ?? "pipe";
  // Production refuses to start without ADMIN_SESSION_SECRET and METRICS_TOKEN; a test stack's own will do (options.env may override).
  const mode: { args: string[]; env: Record<string, string> } = options.build
    ? {
        args: [],
        env: {
          NODE_ENV: "production",
          BUILD_DIRECTORY: options.build,
          ADMIN_SESSION_SECRET: "demo-stack-admin-session-secret-0123456789",
          METRICS_TOKEN: DEMO_STACK_METRICS_TOKEN,
        },
      }
    : { args: ["--dev"], env: {} };
  const app = spawn(process.execPath, ["--import", "tsx", "scripts/serve.ts", ...mode.args], {
    stdio: stdio === "inherit" ? "inherit" : ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      PORT: String(appPort),
      SHOPIFY_API_KEY: options.apiKey,
      SHOPIFY_API_SECRET: options.apiSecret,
      SHOPIFY_APP_URL: appUrl,
      SHOPIFY_ADMIN_API_BASE: emulator.url,
      ...(options.worker === undefined ? {} : { WORKER_IN_PROCESS: String(options.worker) }),
      ...(options.appHost === "localhost" ? {} : { FRONTEND_PORT: String(await freePort()) }),
      ...mode.env,
      ...options.env,
    },
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk;
    options.onOutput?.(chunk.toString());
  };
  app.stdout?.on("data", collect);
  app.stderr?.on("data", collect);
  const appExited = new Promise<void>((resolve) => app.once("exit", () => resolve()));

  const stop = async () => {
    if (app.exitCode === null && app.signalCode === null) {
      app.kill("SIGTERM");
      // A stuck shutdown must not hang the caller: SIGKILL after 15 s.
      const killer = setTimeout(() => app.kill("SIGKILL"), 15_000);
      await appExited;
      clearTimeout(killer);
    }
    await emulator.stop();
  };

  try {
    await waitForHealthy(appUrl, options.healthTimeoutMs ?? 90_000, () => app.exitCode !== null);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output.slice(-4000)}`);
  }
  return { appUrl, emulator, output: () => output, stop };
}
