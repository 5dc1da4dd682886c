// `npm run demo`: the whole product on one machine. The embedded PostgreSQL, the Shopify emulator with three seeded
// shops, the app with its in-process worker, and the three shops installed (through the real embedded auth: session
// token, then token exchange with the emulator) and approved. Ctrl-C stops everything.
import { randomBytes } from "node:crypto";
import { createOrResetAdminAccount } from "../app/admin-auth/admin-accounts.server";
import { generateStrongPassword } from "../app/admin-auth/generate-password.server";
import { prisma } from "../app/db.server";
import { enqueue } from "../app/jobs/queue.server";
import { shopJobOptions } from "../app/jobs/shop-jobs";
import { TASK } from "../app/jobs/task-names";
import { DEMO_SHOPS, startDemoStack } from "./lib/demo-stack";
import { DESKTOP_CHROME_USER_AGENT, embeddedAppUrl as signedEmbeddedAppUrl } from "./lib/embedded-app-url";
import { onShutdown, prepareDatabase, stopJobsAndDatabaseConnections } from "./lib/lifecycle";

const APP_PORT = Number(process.env.PORT || 3000);
const EMULATOR_PORT = Number(process.env.EMULATOR_PORT || 4010);
// The same host as the emulator (127.0.0.1): the emulated admin frames the app, and a frame of another site
// ("localhost" is one) is denied storage by Chromium, which breaks Remix's scroll restoration inside it.
const APP_URL = `http://127.0.0.1:${APP_PORT}`;
const API_KEY = "demo-api-key";
// A fresh secret each run: it signs the emulator's webhooks and the session tokens of this run only.
const API_SECRET = `demo-${randomBytes(16).toString("hex")}`;
// The platform admin of the demo: an operator, its password new each run (reset if the account exists).
const DEMO_ADMIN_EMAIL = "admin@marketplace.test";

/** The URL Shopify admin would open the embedded app at, with a session token valid for `ttlSeconds`. */
function embeddedAppUrl(shop: string, ttlSeconds: number): string {
  return signedEmbeddedAppUrl({ appUrl: APP_URL, shop, apiKey: API_KEY, apiSecret: API_SECRET, ttlSeconds });
}

const database = await prepareDatabase();
// Data persists between runs (.data/postgres, see README) but the emulator is new each time: it is told the access tokens the
// app already holds, so the shops stay installed.
const storedSessions = await prisma.session.findMany({
  where: { shop: { in: DEMO_SHOPS.map((s) => s.domain) }, isOnline: false },
  select: { shop: true, accessToken: true },
});
const stack = await startDemoStack({
  knownAccessTokens: storedSessions,
  databaseUrl: database.url,
  apiKey: API_KEY,
  apiSecret: API_SECRET,
  appPort: APP_PORT,
  emulatorPort: EMULATOR_PORT,
  appHost: "127.0.0.1",
  stdio: "inherit",
});
const emulator = stack.emulator;
onShutdown(
  // The terminal's Ctrl-C reaches the app too; a SIGTERM covers `kill` of this process alone.
  () => stack.stop(),
  ...stopJobsAndDatabaseConnections,
  database.stop,
);

// Install each shop as Shopify admin would open the app (session token -> token exchange -> offline session; on
// later runs the stored session is used), then approve it as a marketplace operator would.
for (const shop of DEMO_SHOPS) {
  const response = await fetch(embeddedAppUrl(shop.domain, 60), {
    redirect: "manual",
    // The Shopify library turns away requests that look like bots (410), which a bare fetch does.
    headers: { "User-Agent": DESKTOP_CHROME_USER_AGENT },
  });
  if (response.status >= 400) console.warn(`[demo] opening the app for ${shop.domain} answered ${response.status}`);
  await prisma.merchantConnection.upsert({
    where: { shop: shop.domain },
    create: { shop: shop.domain, merchantId: `merchant-${shop.domain.split(".")[0]}`, shopName: shop.name, approvalStatus: "APPROVED", approvalChangedBy: "demo", approvalChangedAt: new Date(), selectionMode: "ALL" },
    update: { active: true, approvalStatus: "APPROVED", approvalChangedBy: "demo", approvalChangedAt: new Date() },
  });
  // A first product sync now, rather than at the next 03:00 UTC.
  await enqueue(TASK.productSync, { shop: shop.domain, reason: "manual" }, shopJobOptions(TASK.productSync, shop.domain));
}

const adminPassword = generateStrongPassword();
await createOrResetAdminAccount({ email: DEMO_ADMIN_EMAIL, role: "OPERATOR", password: adminPassword });

const lines = [
  "",
  "Marketplace Sync demo is running.",
  "",
  `  App:           ${APP_URL}   (health: ${APP_URL}/healthz)`,
  `  Emulator:      ${emulator.url}   (Shopify Admin API for ${DEMO_SHOPS.length} shops)`,
  "",
  "  Merchant pages, inside Shopify admin as the emulator stands in for it (App Bridge included):",
  ...DEMO_SHOPS.map((shop) => `    ${shop.name.padEnd(18)} ${emulator.adminUrl(shop.domain)}`),
  `    (product selection: add ?path=/app/products)`,
  "",
  "  Platform admin (sync monitor, alerts, merchants, jobs, findings):",
  `    ${APP_URL}/admin/sync-monitor`,
  `    email ${DEMO_ADMIN_EMAIL}   password ${adminPassword}   (operator; a new password each run)`,
  "",
  `  Data:          ${database.dataDir ?? database.url}   (kept between runs)`,
  "  Ctrl-C stops the app, the emulator and the database.",
  "",
];
console.log(lines.join("\n"));
