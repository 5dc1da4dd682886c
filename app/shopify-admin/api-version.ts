import { ApiVersion } from "@shopify/shopify-api";

// The one place the Admin API version is decided. shopify.app.toml repeats it for the Shopify CLI (a test keeps
// the two equal), and the emulator serves exactly this version.
export const SHOPIFY_API_VERSION = ApiVersion.January26;
