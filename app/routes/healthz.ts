import { healthResponse } from "~/health/probe-responses.server";

// For load balancers and orchestrators: 200 when this process can serve and run jobs, 503 otherwise.
export async function loader() {
  return healthResponse();
}
