import { isMetricsRequestAuthorized } from "~/analytics/metrics-auth.server";
import { renderMetrics } from "~/analytics/metrics.server";
import { env } from "~/env.server";
import { checkHealth } from "./check-health.server";

// The answers to /healthz and /metrics, as web Responses: served by the app's routes (app/routes/healthz.ts,
// metrics.ts) and by the standalone worker's own small HTTP server (probe-server.server.ts), so both say the same.

/** 200 when this process can serve and run jobs, 503 otherwise. `runsWorker`: this process runs the worker. */
export async function healthResponse(options: { runsWorker?: boolean } = {}): Promise<Response> {
  const report = await checkHealth(options);
  return Response.json(report, { status: report.ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}

/** Prometheus text format; 401 without the bearer token when METRICS_TOKEN is set. */
export async function metricsResponse(authorization: string | null): Promise<Response> {
  if (!isMetricsRequestAuthorized(authorization, env().METRICS_TOKEN)) {
    return new Response("Unauthorized\n", {
      status: 401,
      headers: { "www-authenticate": 'Bearer realm="metrics"', "content-type": "text/plain" },
    });
  }
  const { contentType, body } = await renderMetrics();
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
}
