import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { canAct } from "~/admin-auth/admin-role";
import { requireAdmin, requireOperator } from "~/admin-auth/guards.server";
import { JobsPage } from "~/components/admin/JobsPage";
import { applyJobAdminRequest, jobAdminRequest } from "~/worker/job-admin-request.server";
import { countJobsByTask, listJobs, parseJobsQuery } from "~/worker/job-inspection.server";
import { listSchedules } from "~/worker/list-schedules.server";
import { listRecentRuns } from "~/worker/recent-runs.server";
import { answerRefusals } from "~/lib/domain-error-response.server";
import { done, parseOr400 } from "~/lib/form-input.server";

// The schedules (in words, last and next fire time), graphile-worker's jobs by task and state (filters and page in
// the URL) and the recent finished runs; retry now, give up and dismiss for operators.

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  const { cursor, ...filters } = parseJobsQuery(new URL(request.url).searchParams);
  const [list, counts, schedules, recentRuns] = await Promise.all([
    listJobs({ ...filters, cursor }),
    countJobsByTask(),
    listSchedules(),
    listRecentRuns(),
  ]);
  return json({ ...list, counts, schedules, recentRuns, query: filters, canAct: canAct(admin.role) });
}

export async function action({ request }: ActionFunctionArgs) {
  const { admin, form: formData } = await requireOperator(request);
  const jobRequest = parseOr400(jobAdminRequest, formData);
  return answerRefusals(async () => done(await applyJobAdminRequest(jobRequest, admin.email)));
}

export default function JobsRoute() {
  const data = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  return <JobsPage {...data} outcome={outcome} />;
}
