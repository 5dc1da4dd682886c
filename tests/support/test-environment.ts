import { resetEnvCache } from "../../app/env.server";

// The settings every test runs with. They are test values, not secrets: the Shopify app in tests only ever talks
// to the local emulator.
export const TEST_API_KEY = "test-api-key";
export const TEST_API_SECRET = "test-api-secret";

process.env.NODE_ENV = "test";
process.env.SHOPIFY_API_KEY ??= TEST_API_KEY;
process.env.SHOPIFY_API_SECRET ??= TEST_API_SECRET;
process.env.SHOPIFY_APP_URL ??= "http://127.0.0.1:3999";
resetEnvCache();
