import { checkHealth } from "~/health/check-health.server";

// For load balancers and orchestrators: 200 when this process can serve and run jobs, 503 otherwise.
export async function loader() {
  const report = await checkHealth();
  return Response.json(report, { status: report.ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
