// `npm start` (production build) and `npm run dev`/the demo (`--dev`, Vite in middleware mode): the web server,
// and by default the in-process graphile-worker beside it, on DATABASE_URL or the embedded PostgreSQL.
//
// One production switch: NODE_ENV. Without --dev this serves the production build, so NODE_ENV is production
// (set here when unset; anything else is refused), and Secure cookies, Remix's production mode and what production
// requires (env.server.ts) all follow from it. With --dev, NODE_ENV must not be production.
import type { Server } from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { startWorker } from "../app/worker/worker.server";
import { bodyLimitFor } from "../app/lib/request-body.server";
import { adminSecurityHeaders, isAdminPath, newScriptNonce } from "../app/lib/security-headers.server";
import { appBridgeUrl } from "../app/shopify-admin/app-bridge-source";
import { logger } from "../app/lib/logger.server";
import { withoutTheirExitHandlers } from "../app/lib/own-signal-handling";
import { buildDirectory } from "./lib/build-directory";
import { onShutdown, prepareDatabase, requireValidEnvironment, stopJobsAndDatabaseConnections } from "./lib/lifecycle";

const dev = process.argv.includes("--dev");
if (!dev && !process.env.NODE_ENV) process.env.NODE_ENV = "production";
if (dev === (process.env.NODE_ENV === "production")) {
  console.error(
    dev
      ? "--dev runs the development server: unset NODE_ENV=production (or use `npm start` for the production build)."
      : `\`npm start\` serves the production build: NODE_ENV must be production or unset, not "${process.env.NODE_ENV}" (use \`npm run dev:local\` to develop).`,
  );
  process.exit(1);
}
const config = requireValidEnvironment();
const production = config.NODE_ENV === "production";
// The Shopify library renders its session-token bounce page with App Bridge from APP_BRIDGE_URL, read when the
// server build loads (below): the emulator's stand-in when the emulator stands in for Shopify.
if (config.SHOPIFY_ADMIN_API_BASE) process.env.APP_BRIDGE_URL = appBridgeUrl(config.SHOPIFY_ADMIN_API_BASE);
const database = await prepareDatabase();

const app = express();
app.disable("x-powered-by");
// The client address the sign-in throttle keys on: the connection's, unless TRUST_PROXY_HOPS proxies are trusted.
app.set("trust proxy", config.TRUST_PROXY_HOPS);
app.use((request, response, next) => {
  if (isAdminPath(request.path)) {
    // In production the page's inline scripts run by this response's nonce only (entry.server.tsx puts it on them).
    const scriptNonce = production ? newScriptNonce() : undefined;
    response.locals.scriptNonce = scriptNonce;
    response.set(adminSecurityHeaders({ production, scriptNonce }));
  }
  // A declared length over the path's limit is refused before anything reads the body (routes count the bytes of
  // bodies without a length while they read them: app/lib/request-body.server.ts).
  const limit = bodyLimitFor(request.path);
  if (Number(request.headers["content-length"] ?? 0) > limit) {
    response
      .status(413)
      .set({ Connection: "close", "Content-Type": "text/plain; charset=utf-8" })
      .send(`The request body is larger than ${limit} bytes.\n`);
    return;
  }
  next();
});
app.use(compression());
// A line per request (method, URL, status, duration, headers as pino-http logs them): its Authorization and Cookie
// headers and a session token in the URL are censored by the logger (app/lib/logger.server.ts).
app.use((request, response, next) => {
  const started = process.hrtime.bigint();
  response.once("finish", () => {
    const durationMs = Number((process.hrtime.bigint() - started) / 1_000_000n);
    const fields = {
      scope: "http",
      method: request.method,
      url: request.originalUrl,
      status: response.statusCode,
      durationMs,
      headers: request.headers,
    };
    logger[response.statusCode >= 500 ? "error" : "info"](
      fields,
      `${request.method} ${request.path} ${response.statusCode}`,
    );
  });
  next();
});

let build: () => Promise<ServerBuild>;
let closeVite = async () => undefined as unknown;
if (dev) {
  const vite = await withoutTheirExitHandlers(() =>
    import("vite").then((v) => v.createServer({ server: { middlewareMode: true } })),
  );
  app.use(vite.middlewares);
  build = () => vite.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>;
  closeVite = () => vite.close();
} else {
  const directory = path.resolve(fileURLToPath(new URL("..", import.meta.url)), buildDirectory());
  app.use("/assets", express.static(path.join(directory, "client/assets"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(directory, "client"), { maxAge: "1h" }));
  const serverBuild = (await import(pathToFileURL(path.join(directory, "server/index.js")).href).catch(() => {
    console.error(`No production build in ${directory}: run \`npm run build\` first (or \`npm run dev\` to develop).`);
    process.exit(1);
  })) as ServerBuild;
  build = async () => serverBuild;
}
app.all(
  "*",
  createRequestHandler({
    build,
    mode: production ? "production" : "development",
    getLoadContext: (request, response) => ({
      clientAddress: request.ip ?? request.socket.remoteAddress,
      scriptNonce: response.locals.scriptNonce as string | undefined,
    }),
  }),
);

const server: Server = app.listen(config.PORT, () => {
  logger.info(
    { scope: "serve" },
    `${production ? "production" : "development"} server on http://localhost:${config.PORT}`,
  );
});

if (config.WORKER_IN_PROCESS) {
  await startWorker({
    concurrency: config.WORKER_CONCURRENCY,
    withCron: config.WORKER_CRON,
    sweepIntervalMs: config.WORKER_SWEEP_INTERVAL_SECONDS * 1000,
  });
  logger.info({ scope: "serve" }, `in-process worker running, concurrency ${config.WORKER_CONCURRENCY}`);
}

onShutdown(
  () => new Promise((resolve) => server.close(resolve)),
  ...stopJobsAndDatabaseConnections,
  closeVite,
  database.stop,
);
