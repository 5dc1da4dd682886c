import { createReadStream } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { SHOPIFY_API_VERSION } from "../app/shopify-admin/api-version";
import { adminFramePage, embeddedAppSrc, sessionTokenFor, type AdminFrameOptions } from "./admin-frame";
import { APP_BRIDGE_STAND_IN } from "./app-bridge-stand-in";
import type { BulkOperations } from "./bulk/bulk-operations";
import type { EmulatorControl } from "./control";
import type { GraphqlEndpoint } from "./graphql-endpoint";
import { jsonReply, SHOPIFY_BODIES, type HttpReply } from "./http-reply";
import type { EmulatorStore, ShopState } from "./store";
import type { TokenIssuer } from "./token-exchange";

// Routing. The shop of a request comes from the path prefix /shops/<shop>/ (so replacing
// "https://<shop>" by "<emulator>/shops/<shop>" is the whole redirection), or from an X-Shopify-Shop-Domain
// header on un-prefixed paths.
const SHOP_PREFIX = /^\/shops\/([^/]+)(\/.*)$/;
const GRAPHQL_PATH = /^\/admin\/api\/([^/]+)\/graphql\.json$/;
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const ADMIN_FRAME_PATH = /^\/__admin\/([^/]+)(\/session-token)?$/;

export interface RouterDeps {
  store: EmulatorStore;
  graphql: GraphqlEndpoint;
  bulk: BulkOperations;
  tokens: TokenIssuer;
  control: EmulatorControl;
  adminFrame: AdminFrameOptions;
}

export function createRequestHandler(deps: RouterDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? "/", "http://emulator.local");
      const reply = await route(deps, req, url, res);
      if (reply) send(res, reply);
    } catch (error) {
      send(res, jsonReply(500, { errors: `Emulator error: ${(error as Error).message}` }));
    }
  };
}

async function route(deps: RouterDeps, req: IncomingMessage, url: URL, res: ServerResponse): Promise<HttpReply | null> {
  if (url.pathname === "/__emulator" || url.pathname === "/__emulator/") {
    return jsonReply(200, {
      methods: Object.keys(deps.control),
      shops: deps.control.listShops().map((s) => s.domain),
      apiVersion: SHOPIFY_API_VERSION,
    });
  }
  if (url.pathname.startsWith("/__emulator/")) return controlCall(deps, req, url.pathname.slice("/__emulator/".length));
  if (url.pathname.startsWith("/__bulk/")) return serveBulkFile(deps, url, res);
  if (url.pathname === "/__app-bridge/app-bridge.js" && req.method === "GET") {
    return {
      status: 200,
      headers: { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-store" },
      body: APP_BRIDGE_STAND_IN,
    };
  }
  const admin = ADMIN_FRAME_PATH.exec(url.pathname);
  if (admin && req.method === "GET") return adminFrame(deps, decodeURIComponent(admin[1]), admin[2], url);

  const prefixed = SHOP_PREFIX.exec(url.pathname);
  const shopDomain = prefixed ? decodeURIComponent(prefixed[1]) : headerValue(req, "x-shopify-shop-domain");
  const path = prefixed ? prefixed[2] : url.pathname;
  if (!shopDomain) return jsonReply(404, SHOPIFY_BODIES.notFound);
  const shop = deps.store.findShop(shopDomain);
  if (!shop) return jsonReply(404, SHOPIFY_BODIES.notFound);

  const graphql = GRAPHQL_PATH.exec(path);
  if (graphql && req.method === "POST") {
    if (graphql[1] !== SHOPIFY_API_VERSION) return jsonReply(404, SHOPIFY_BODIES.notFound);
    return deps.graphql.handle(shop, headerValue(req, "x-shopify-access-token"), await readBody(req));
  }
  if (path === "/admin/oauth/access_token" && req.method === "POST") return tokenRequest(deps, req, shop, res);
  return jsonReply(404, SHOPIFY_BODIES.notFound);
}

/** The emulated Shopify admin around the app (admin-frame.ts), and the fresh session tokens it hands App Bridge. */
function adminFrame(deps: RouterDeps, shopDomain: string, tokenPath: string | undefined, url: URL): HttpReply {
  const shop = deps.store.findShop(shopDomain);
  if (!shop)
    return {
      status: 404,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
      body: `No shop ${shopDomain} in the emulator`,
    };
  if (tokenPath)
    return jsonReply(200, { token: sessionTokenFor(shop, deps.adminFrame) }, { "Cache-Control": "no-store" });
  const src = embeddedAppSrc(shop, url.searchParams.get("path") ?? "/app", deps.adminFrame);
  if (!src)
    return {
      status: 409,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
      body: "The emulator has no app URL (or the path leaves it): start it with appUrl, or call setAppUrl",
    };
  return {
    status: 200,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
    body: adminFramePage(shop, src, new URL(src).origin),
  };
}

async function tokenRequest(
  deps: RouterDeps,
  req: IncomingMessage,
  shop: ShopState,
  res: ServerResponse,
): Promise<HttpReply | null> {
  const raw = await readBody(req);
  const fault = shop.faults.takeTokenFault();
  if (fault?.kind === "tokenHttp")
    return jsonReply(
      fault.status,
      fault.status === 500
        ? SHOPIFY_BODIES.serverError
        : fault.status === 502
          ? SHOPIFY_BODIES.badGateway
          : SHOPIFY_BODIES.unavailable,
    );
  if (fault?.kind === "tokenRefused")
    return jsonReply(400, {
      error: fault.error ?? "invalid_request",
      error_description: "The token request was refused",
    });
  const reply = tokenReply(deps, req, shop, raw);
  if (fault?.kind === "tokenAnswerLost") {
    res.destroy(); // done, but the app never hears of it
    return null;
  }
  return reply;
}

function tokenReply(deps: RouterDeps, req: IncomingMessage, shop: ShopState, raw: string): HttpReply {
  const contentType = headerValue(req, "content-type") ?? "";
  let params: Record<string, string>;
  if (contentType.includes("application/json")) {
    try {
      params = JSON.parse(raw) as Record<string, string>;
    } catch {
      return jsonReply(400, { error: "invalid_request", error_description: "Malformed JSON body" });
    }
  } else {
    params = Object.fromEntries(new URLSearchParams(raw));
  }
  return deps.tokens.handle(shop, params);
}

async function controlCall(deps: RouterDeps, req: IncomingMessage, method: string): Promise<HttpReply> {
  if (req.method !== "POST") return jsonReply(405, { error: "Control calls are POST with a JSON body" });
  if (!Object.hasOwn(deps.control, method)) return jsonReply(404, { error: `Unknown control method ${method}` });
  const raw = await readBody(req);
  let input: unknown;
  try {
    input = raw ? JSON.parse(raw) : {};
  } catch {
    return jsonReply(400, { error: "Malformed JSON body" });
  }
  try {
    const fn = deps.control[method as keyof EmulatorControl] as (input: unknown) => unknown;
    const result = await fn(input);
    return jsonReply(200, (result ?? {}) as object);
  } catch (error) {
    return jsonReply(400, { error: (error as Error).message });
  }
}

function serveBulkFile(deps: RouterDeps, url: URL, res: ServerResponse): HttpReply | null {
  const token = url.pathname.split("/")[2] ?? "";
  const found = deps.bulk.lookupFile(token);
  if ("error" in found) {
    // Shopify's result URLs are signed cloud-storage links; an expired one answers like this.
    return found.error === "expired"
      ? {
          status: 403,
          headers: { "Content-Type": "application/xml" },
          body: `<?xml version='1.0' encoding='UTF-8'?><Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>`,
        }
      : {
          status: 404,
          headers: { "Content-Type": "application/xml" },
          body: `<?xml version='1.0' encoding='UTF-8'?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>`,
        };
  }
  res.writeHead(200, { "Content-Type": "application/jsonl" });
  const stream = createReadStream(found.path);
  stream.on("error", () => res.destroy());
  stream.pipe(res);
  return null;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error("Request body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, reply: HttpReply): void {
  if (res.headersSent) return;
  const isText = typeof reply.body === "string";
  const body = isText ? (reply.body as string) : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "Content-Type": isText ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
    "X-Shopify-API-Version": SHOPIFY_API_VERSION,
    ...reply.headers,
  });
  res.end(body);
}
