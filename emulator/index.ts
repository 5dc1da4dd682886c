import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SHOPIFY_API_VERSION } from "../app/shopify-admin/api-version";
import { BulkOperations, DEFAULT_BULK_TIMING, type BulkTiming } from "./bulk/bulk-operations";
import { createControl, type EmulatorControl } from "./control";
import { GraphqlEndpoint } from "./graphql-endpoint";
import { createRequestHandler } from "./http-server";
import { adminSchema } from "./schema";
import { EmulatorStore } from "./store";
import { TokenIssuer } from "./token-exchange";
import { bulkOperationFinishPayload } from "./webhook-payloads";
import { webhookPathResolver } from "./webhook-paths";
import { WebhookSender, type WebhookDeliveryPolicy } from "./webhook-sender";

export interface EmulatorOptions {
  // 0 (the default) picks a free port.
  port?: number;
  host?: string;
  // The app's base URL; webhooks are POSTed to appUrl + webhookPath(topic). Without it webhooks are only recorded.
  appUrl?: string;
  // The app's API secret: signs webhooks, verifies session tokens and authenticates token requests.
  apiSecret: string;
  // When set, token requests must carry it as client_id and session tokens as aud.
  apiKey?: string;
  now?: () => Date;
  bulkTiming?: Partial<BulkTiming>;
  // Real bulk files often lack the final newline; default false mirrors that.
  bulkTrailingNewline?: boolean;
  // "any": bulk files in no order at all (children possibly before parents), as groupObjects false allows.
  bulkLineOrder?: "grouped" | "any";
  webhookPath?: (topic: string) => string;
  // Timeouts and retries of webhook deliveries; Shopify's by default (webhook-sender.ts).
  webhookDelivery?: WebhookDeliveryPolicy;
  // How "slow" faults wait; tests may shorten it.
  sleep?: (ms: number) => Promise<void>;
}

export interface RunningEmulator {
  url: string;
  control: EmulatorControl;
  // https://<shop>/admin/api/<version>/graphql.json as served by this emulator.
  graphqlUrl(shop: string): string;
  // The emulated Shopify admin with the app open in it (admin-frame.ts), at `path` of the app (default /app).
  adminUrl(shop: string, path?: string): string;
  stop(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  adminSchema();
  const nowMs = options.now ? () => options.now!().getTime() : () => Date.now();
  const store = new EmulatorStore(nowMs);
  let baseUrl = "";
  const webhooks = new WebhookSender({
    appUrl: options.appUrl,
    apiSecret: options.apiSecret,
    webhookPath: options.webhookPath ?? webhookPathResolver(),
    nowMs,
    ...options.webhookDelivery,
  });
  const bulk = new BulkOperations({
    store,
    timing: { ...DEFAULT_BULK_TIMING, ...options.bulkTiming },
    publicBaseUrl: () => baseUrl,
    trailingNewline: options.bulkTrailingNewline ?? false,
    lineOrder: options.bulkLineOrder,
    onFinished: (shop, operation) =>
      void webhooks.send(shop.domain, "bulk_operations/finish", bulkOperationFinishPayload(operation)),
  });
  const tokens = new TokenIssuer({ apiKey: options.apiKey, apiSecret: options.apiSecret, nowMs });
  const graphql = new GraphqlEndpoint({
    store,
    bulk,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  });
  const control = createControl({ store, bulk, tokens, webhooks });

  const adminFrame = { apiKey: options.apiKey, apiSecret: options.apiSecret, appUrl: () => webhooks.appUrl(), nowMs };
  const server = createServer(createRequestHandler({ store, graphql, bulk, tokens, control, adminFrame }));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://${address.address.includes(":") ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    url: baseUrl,
    control,
    graphqlUrl: (shop) => `${baseUrl}/shops/${shop}/admin/api/${SHOPIFY_API_VERSION}/graphql.json`,
    adminUrl: (shop, path = "/app") =>
      `${baseUrl}/__admin/${shop}${path === "/app" ? "" : `?path=${encodeURIComponent(path)}`}`,
    async stop() {
      await bulk.stop();
      await webhooks.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type { EmulatorControl } from "./control";
export type { Fault, RequestFault, BulkFault } from "./faults";
export type { PlanOption, PlanName } from "./plans";
export { PLAN_PRESETS } from "./plans";
export { signSessionToken } from "./session-token";
export { webhookHmac, shopifyRetryDelaysMs } from "./webhook-sender";
export type { WebhookDelivery, WebhookDeliveryPolicy } from "./webhook-sender";
export { jsonlLine } from "./bulk/jsonl-writer";
