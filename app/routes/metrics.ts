import type { LoaderFunctionArgs } from "@remix-run/node";
import { isMetricsRequestAuthorized } from "~/analytics/metrics-auth.server";
import { renderMetrics } from "~/analytics/metrics.server";
import { env } from "~/env.server";

// GET /metrics: Prometheus text format. Protected by METRICS_TOKEN (Bearer) when it is set.
export async function loader({ request }: LoaderFunctionArgs) {
  if (!isMetricsRequestAuthorized(request.headers.get("authorization"), env().METRICS_TOKEN)) {
    return new Response("Unauthorized\n", {
      status: 401,
      headers: { "www-authenticate": 'Bearer realm="metrics"', "content-type": "text/plain" },
    });
  }
  const { contentType, body } = await renderMetrics();
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
}
