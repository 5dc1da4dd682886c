import type { LoaderFunctionArgs } from "@remix-run/node";
import { metricsResponse } from "~/health/probe-responses.server";

// GET /metrics: Prometheus text format. Protected by METRICS_TOKEN (Bearer) when it is set.
export async function loader({ request }: LoaderFunctionArgs) {
  return metricsResponse(request.headers.get("authorization"));
}
