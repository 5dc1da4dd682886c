import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { healthResponse, metricsResponse } from "./probe-responses.server";
import { logger } from "~/lib/logger.server";

// `npm run worker` has no web server, yet an orchestrator must probe it and Prometheus must scrape its job counters
// (they are counted per process). This is its own small HTTP server for exactly /healthz and /metrics, on
// WORKER_HTTP_PORT; anything else is 404 and only GET (and HEAD) is answered.

export interface ProbeServer {
  port: number;
  close(): Promise<void>;
}

export async function startProbeServer(options: { port: number; host?: string }): Promise<ProbeServer> {
  const server: Server = createServer((request, reply) => {
    const path = new URL(request.url ?? "/", "http://probe").pathname;
    const answer = async (): Promise<Response> => {
      if (request.method !== "GET" && request.method !== "HEAD") {
        return new Response("Method Not Allowed\n", {
          status: 405,
          headers: { allow: "GET, HEAD", "content-type": "text/plain" },
        });
      }
      if (path === "/healthz") return healthResponse({ runsWorker: true });
      if (path === "/metrics") return metricsResponse(request.headers.authorization ?? null);
      return new Response("Not Found\n", { status: 404, headers: { "content-type": "text/plain" } });
    };
    answer()
      .catch((error: Error) => {
        logger.error({ scope: "worker", path, err: error }, "probe failed");
        return new Response("Internal Server Error\n", { status: 500, headers: { "content-type": "text/plain" } });
      })
      .then(async (response) => {
        const body = request.method === "HEAD" ? "" : await response.text();
        reply.writeHead(response.status, Object.fromEntries(response.headers));
        reply.end(body);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
