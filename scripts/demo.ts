// `npm run demo`: the whole product on one machine. The embedded PostgreSQL, the Shopify emulator with three seeded
// shops, the app with its in-process worker, and the three shops installed (through the real embedded auth: session
// token, then token exchange with the emulator) and approved. Ctrl-C stops everything.
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { prisma } from "../app/db.server";
import { enqueueShopJob } from "../app/jobs/queue.server";
import { TASK } from "../app/jobs/task-names";
import { startEmulator } from "../tests/emulator";
import { signSessionToken } from "../tests/emulator/session-token";
import { onShutdown, prepareDatabase, stopJobsAndDatabaseConnections } from "./lib/lifecycle";

const APP_PORT = Number(process.env.PORT || 3000);
const EMULATOR_PORT = Number(process.env.EMULATOR_PORT || 4010);
const APP_URL = `http://localhost:${APP_PORT}`;
const API_KEY = "demo-api-key";
// A fresh secret each run: it signs the emulator's webhooks and the session tokens of this run only.
const API_SECRET = `demo-${randomBytes(16).toString("hex")}`;

const DEMO_SHOPS = [
  { domain: "aurora-outfitters.myshopify.com", name: "Aurora Outfitters", plan: "PLUS", products: 1500, variants: 3 },
  { domain: "birch-and-bloom.myshopify.com", name: "Birch & Bloom", plan: "STANDARD", products: 250, variants: 2, edgeCases: true },
  { domain: "cobalt-cycles.myshopify.com", name: "Cobalt Cycles", plan: "ADVANCED", products: 600, variants: 4, faultRate: 0.03 },
] as const;

function sessionToken(shop: string, ttlSeconds: number): string {
  const now = Math.floor(Date.now() / 1000);
  return signSessionToken(
    {
      iss: `https://${shop}/admin`,
      dest: `https://${shop}`,
      aud: API_KEY,
      sub: "1",
      exp: now + ttlSeconds,
      nbf: now - 5,
      iat: now,
      jti: randomUUID(),
      sid: randomUUID(),
    },
    API_SECRET,
  );
}

/** The URL Shopify admin would open the embedded app at, with a session token valid for `ttlSeconds`. */
function embeddedAppUrl(shop: string, ttlSeconds: number): string {
  const host = Buffer.from(`admin.shopify.com/store/${shop.split(".")[0]}`).toString("base64url");
  const params = new URLSearchParams({ embedded: "1", shop, host, id_token: sessionToken(shop, ttlSeconds) });
  return `${APP_URL}/app?${params}`;
}

async function waitForApp(timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${APP_URL}/healthz`).catch(() => undefined);
    if (response?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`The app did not become healthy at ${APP_URL}/healthz`);
}

const database = await prepareDatabase();
const emulator = await startEmulator({ port: EMULATOR_PORT, appUrl: APP_URL, apiKey: API_KEY, apiSecret: API_SECRET });
for (const shop of DEMO_SHOPS) {
  if (!emulator.control.listShops().some((s) => s.domain === shop.domain)) {
    emulator.control.createShop({ domain: shop.domain, name: shop.name, plan: shop.plan, locations: ["Main warehouse", "Pop-up store"] });
    emulator.control.seedProducts({
      shop: shop.domain,
      products: shop.products,
      variantsPerProduct: shop.variants,
      seed: 42,
      edgeCases: "edgeCases" in shop,
    });
  }
}

const app = spawn(process.execPath, ["--import", "tsx", "scripts/serve.ts", "--dev"], {
  stdio: "inherit",
  env: {
    ...process.env,
    DATABASE_URL: database.url,
    PORT: String(APP_PORT),
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: API_SECRET,
    SHOPIFY_APP_URL: APP_URL,
    SHOPIFY_ADMIN_API_BASE: emulator.url,
  },
});
const appExited = new Promise<void>((resolve) => app.once("exit", () => resolve()));
onShutdown(
  async () => {
    // The terminal's Ctrl-C reaches the app too; a SIGTERM covers `kill` of this process alone.
    if (app.exitCode === null) app.kill("SIGTERM");
    await appExited;
  },
  () => emulator.stop(),
  ...stopJobsAndDatabaseConnections,
  database.stop,
);
await waitForApp(90_000);

// Install each shop as Shopify admin would open the app (session token -> token exchange -> offline session),
// then approve it as a marketplace operator would. The emulator is new each run, and so are its access tokens:
// the sessions of an earlier run are dropped so that the install exchanges a token again.
await prisma.session.deleteMany({ where: { shop: { in: DEMO_SHOPS.map((s) => s.domain) } } });
for (const shop of DEMO_SHOPS) {
  const response = await fetch(embeddedAppUrl(shop.domain, 60), {
    redirect: "manual",
    // The Shopify library turns away requests that look like bots (410), which a bare fetch does.
    headers: { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36" },
  });
  if (response.status >= 400) console.warn(`[demo] opening the app for ${shop.domain} answered ${response.status}`);
  await prisma.merchantConnection.upsert({
    where: { shop: shop.domain },
    create: { shop: shop.domain, merchantId: `merchant-${shop.domain.split(".")[0]}`, shopName: shop.name, approvalStatus: "APPROVED", approvalChangedBy: "demo", approvalChangedAt: new Date(), selectionMode: "ALL" },
    update: { active: true, approvalStatus: "APPROVED", approvalChangedBy: "demo", approvalChangedAt: new Date() },
  });
  // A first product sync now, rather than at the next 03:00 UTC.
  await enqueueShopJob(TASK.productSync, { shop: shop.domain, reason: "manual" });
}

const lines = [
  "",
  "Marketplace Sync demo is running.",
  "",
  `  App:           ${APP_URL}   (health: ${APP_URL}/healthz)`,
  `  Emulator:      ${emulator.url}   (Shopify Admin API for ${DEMO_SHOPS.length} shops)`,
  "",
  "  Merchant pages (as Shopify admin would open them; links valid for 24 hours):",
  ...DEMO_SHOPS.map((shop) => `    ${shop.name.padEnd(18)} ${embeddedAppUrl(shop.domain, 24 * 60 * 60)}`),
  "",
  "  Ctrl-C stops the app, the emulator and the database.",
  "",
];
console.log(lines.join("\n"));
