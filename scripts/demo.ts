// `npm run demo`: the whole product on one machine. The embedded PostgreSQL, the Shopify emulator with three seeded
// shops, the app with its in-process worker, and the three shops installed (through the real embedded auth: session
// token, then token exchange with the emulator) and approved. Ctrl-C stops everything.
import { randomBytes } from "node:crypto";
import { createOrResetAdminAccount } from "../app/admin-auth/admin-accounts.server";
import { generateStrongPassword } from "../app/admin-auth/generate-password.server";
import { prisma } from "../app/db.server";
import {
  DEMO_SCENARIO_ENV,
  DEMO_SCENARIO_SHOPS,
  installDemoShops,
  openEmbeddedApp,
  runDemoScenarios,
} from "./lib/demo-scenarios";
import { DEMO_SHOPS, startDemoStack } from "./lib/demo-stack";
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
  env: { ...DEMO_SCENARIO_ENV },
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
const demoApp = { appUrl: APP_URL, apiKey: API_KEY, apiSecret: API_SECRET };
await installDemoShops(demoApp);

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

// What goes wrong and how the product recovers, produced by the real jobs while the demo runs (scripts/lib/demo-scenarios.ts).
console.log(
  `[demo] seeding failures and a recovery: invalid prices (${DEMO_SCENARIO_SHOPS.invalidPrices}), throttling (${DEMO_SCENARIO_SHOPS.throttled}), a revoked token then a reinstall (${DEMO_SCENARIO_SHOPS.revokedThenReinstalled}), two locations (${DEMO_SCENARIO_SHOPS.twoLocations}), a price changed without its webhook, found by the verification (${DEMO_SCENARIO_SHOPS.drifted})`,
);
runDemoScenarios({ emulator, openApp: (shop) => openEmbeddedApp(demoApp, shop) }).then(
  () =>
    console.log(
      "[demo] failure and recovery scenarios done: see the alerts, findings and sync monitor pages (each shop's truth figure)",
    ),
  (error: Error) => console.warn(`[demo] ${error.message}`),
);
