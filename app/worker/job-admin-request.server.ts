import { z } from "zod";
import { recordAdminAction } from "~/admin-actions/record-admin-action.server";
import { DomainError } from "~/lib/domain-error";
import { dismissFailedJob, findJob, giveUpJob, jobId, retryJobNow } from "./job-inspection.server";

// An operator's action on one job from the jobs page, carried out and recorded (who, which job, which shop).

export const jobAdminRequest = z.object({
  intent: z.enum(["retry", "give-up", "dismiss"]),
  jobId,
});
export type JobAdminRequest = z.infer<typeof jobAdminRequest>;

/** Carries out the operator's request and records it; returns what was done. A refusal is a DomainError that says why. */
export async function applyJobAdminRequest({ intent, jobId: id }: JobAdminRequest, by: string): Promise<string> {
  const job = await findJob(id);
  if (!job)
    throw new DomainError("JOB_NOT_FOUND", `There is no job #${id} (it may have finished meanwhile).`, { jobId: id });
  if (job.state === "running")
    throw new DomainError("JOB_RUNNING", `Job #${id} is running; wait for it to finish.`, { jobId: id });

  const applied =
    intent === "retry"
      ? await retryJobNow(id)
      : intent === "give-up"
        ? await giveUpJob(id, by)
        : await dismissFailedJob(id);
  if (!applied) {
    const why =
      intent === "give-up"
        ? "only a pending job can be given up"
        : intent === "dismiss"
          ? "only a failed job can be dismissed"
          : "it changed meanwhile";
    throw new DomainError("INVALID_JOB_TRANSITION", `Job #${id} (${job.state}): ${why}.`, { jobId: id });
  }
  await recordAdminAction({
    adminEmail: by,
    action: `job-${intent}`,
    shop: job.shop,
    details: { jobId: id, task: job.task },
  });
  const done = { retry: "queued to run now", "give-up": "given up (it will not run)", dismiss: "dismissed" }[intent];
  return `Job #${id} (${job.task}${job.shop ? ` for ${job.shop}` : ""}) ${done}.`;
}
