import { z } from "zod";
import { recordAdminAction } from "~/admin-actions/record-admin-action.server";
import { dismissFailedJob, findJob, giveUpJob, jobId, retryJobNow } from "./job-inspection.server";

// An operator's action on one job from the jobs page, carried out and recorded (who, which job, which shop).

export const jobAdminRequest = z.object({
  intent: z.enum(["retry", "give-up", "dismiss"]),
  jobId,
});
export type JobAdminRequest = z.infer<typeof jobAdminRequest>;

export type JobAdminResult = { ok: true; message: string } | { ok: false; status: 404 | 409; error: string };

export async function applyJobAdminRequest({ intent, jobId: id }: JobAdminRequest, by: string): Promise<JobAdminResult> {
  const job = await findJob(id);
  if (!job) return { ok: false, status: 404, error: `There is no job #${id} (it may have finished meanwhile).` };
  if (job.state === "running") return { ok: false, status: 409, error: `Job #${id} is running; wait for it to finish.` };

  const applied =
    intent === "retry" ? await retryJobNow(id) : intent === "give-up" ? await giveUpJob(id, by) : await dismissFailedJob(id);
  if (!applied) {
    const why = intent === "give-up" ? "only a pending job can be given up" : intent === "dismiss" ? "only a failed job can be dismissed" : "it changed meanwhile";
    return { ok: false, status: 409, error: `Job #${id} (${job.state}): ${why}.` };
  }
  await recordAdminAction({ adminEmail: by, action: `job-${intent}`, shop: job.shop, details: { jobId: id, task: job.task } });
  const done = { retry: "queued to run now", "give-up": "given up (it will not run)", dismiss: "dismissed" }[intent];
  return { ok: true, message: `Job #${id} (${job.task}${job.shop ? ` for ${job.shop}` : ""}) ${done}.` };
}
