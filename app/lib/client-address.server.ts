import type { AppLoadContext } from "@remix-run/node";

// The client's address, which scripts/serve.ts puts in Remix's load context (from the connection, or from
// X-Forwarded-For when TRUST_PROXY_HOPS says how many proxies to believe). The sign-in throttle keys on it.

declare module "@remix-run/node" {
  interface AppLoadContext {
    clientAddress?: string;
  }
}

export function clientAddressOf(context: AppLoadContext | undefined): string {
  const address = context?.clientAddress;
  return typeof address === "string" && address.length > 0 && address.length <= 64 ? address : "unknown";
}
