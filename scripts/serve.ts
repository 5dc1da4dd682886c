// `npm start` (production build) and `npm run dev`/the demo (`--dev`, Vite in middleware mode): the web server,
// and by default the in-process graphile-worker beside it, on DATABASE_URL or the embedded PostgreSQL.
import type { Server } from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { startWorker } from "../app/jobs/worker.server";
import { appBridgeUrl } from "../app/shopify-admin/app-bridge-source";
import { withoutTheirExitHandlers } from "../app/lib/own-signal-handling";
import { buildDirectory } from "./lib/build-directory";
import { onShutdown, prepareDatabase, requireValidEnvironment, stopJobsAndDatabaseConnections } from "./lib/lifecycle";

const dev = process.argv.includes("--dev");
const config = requireValidEnvironment();
// The Shopify library renders its session-token bounce page with App Bridge from APP_BRIDGE_URL, read when the
// server build loads (below): the emulator's stand-in when the emulator stands in for Shopify.
if (config.SHOPIFY_ADMIN_API_BASE) process.env.APP_BRIDGE_URL = appBridgeUrl(config.SHOPIFY_ADMIN_API_BASE);
const database = await prepareDatabase();

const app = express();
app.disable("x-powered-by");
app.use(compression());

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
app.all("*", createRequestHandler({ build, mode: dev ? "development" : "production" }));

const server: Server = app.listen(config.PORT, () => {
  console.log(`[serve] ${dev ? "development" : "production"} server on http://localhost:${config.PORT}`);
});

if (config.WORKER_IN_PROCESS) {
  await startWorker({ concurrency: config.WORKER_CONCURRENCY });
  console.log(`[serve] in-process worker running, concurrency ${config.WORKER_CONCURRENCY}`);
}

onShutdown(
  () => new Promise((resolve) => server.close(resolve)),
  ...stopJobsAndDatabaseConnections,
  closeVite,
  database.stop,
);
