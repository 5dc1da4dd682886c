import { startEmulator } from "./index";

// Runs the emulator on its own for manual poking: `npx tsx emulator/cli.ts`. Configured by environment:
// EMULATOR_PORT (default 4010), SHOPIFY_API_SECRET, SHOPIFY_API_KEY, EMULATOR_APP_URL (webhook target), and
// EMULATOR_DEMO_SHOP=1 to create demo.myshopify.com with 200 products x 3 variants.
const port = Number(process.env.EMULATOR_PORT ?? 4010);
const emulator = await startEmulator({
  port,
  apiSecret: process.env.SHOPIFY_API_SECRET ?? "emulator-secret",
  apiKey: process.env.SHOPIFY_API_KEY,
  appUrl: process.env.EMULATOR_APP_URL,
});
console.log(`Shopify Admin API emulator on ${emulator.url} (control: POST ${emulator.url}/__emulator/<method>)`);
if (process.env.EMULATOR_DEMO_SHOP === "1") {
  const shop = emulator.control.createShop({ domain: "demo.myshopify.com", locations: 2, accessToken: "shpat_demo" });
  emulator.control.seedProducts({ shop: shop.domain, products: 200, variantsPerProduct: 3, edgeCases: true });
  console.log(`demo shop ${shop.domain}, token ${shop.accessToken}: ${emulator.graphqlUrl(shop.domain)}`);
}
const shutdown = () => {
  void emulator.stop().then(() => process.exit(0));
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
