import { Prisma, type SyncEventStatus, type SyncEventType } from "@prisma/client";
import { recordSyncRecovery } from "~/alerts/resolve.server";
import { currentJob, prisma, type JobIdentity } from "~/db.server";
import { syncKindOfEvent } from "~/jobs/sync-kinds";
import { observeSyncDuration } from "./metrics.server";
import { logger } from "~/lib/logger.server";

export interface SyncEventInput {
  shop: string;
  merchantId?: string | null;
  eventType: SyncEventType;
  status: SyncEventStatus;
  itemCount?: number | null;
  processingTimeMs?: number | null;
  errorMessage?: string | null;
  metadata?: Prisma.InputJsonValue;
  createdAt?: Date;
  /** A success normally ends its job's failure and staleness alerts (see below); true leaves them open. */
  skipAlertRecovery?: boolean;
}

// A successful event of a sync kind's type ends the alerts of that kind's task (app/jobs/sync-kinds.ts). Only the
// scheduled sync jobs record these types (webhooks record WEBHOOK), so a success here means that kind works again.

// Exactly once per job run: inside a job, the event carries the job's id and graphile-worker attempt, unique together.
// A job re-run because its worker died after the work committed (the dead-worker sweep requeues it under the same
// id and attempt) finds its event already there: that one stands, and nothing else (metrics, alert recovery) is
// done again. A retried attempt is a job of its own (defineTask), so each failed attempt keeps its FAILURE.

/** The one way a sync run is recorded; analytics, the dashboard and alert recovery read these rows. */
export async function recordSyncEvent(input: SyncEventInput) {
  const job = currentJob();
  let event;
  try {
    event = await createEvent(input, job);
  } catch (error) {
    if (!job || !(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== "P2002") throw error;
    logger.info(
      { scope: "analytics", shop: input.shop, jobId: job.id, attempt: job.attempt },
      "this job run's sync event is already recorded (the job ran again after its worker died); kept the first",
    );
    return prisma.syncEvent.findUniqueOrThrow({
      where: { jobId_jobAttempt: { jobId: BigInt(job.id), jobAttempt: job.attempt } },
    });
  }
  if (event.processingTimeMs !== null) observeSyncDuration(event.eventType, event.status, event.processingTimeMs);
  const recoveredJobType = syncKindOfEvent(event.eventType)?.task;
  if (event.status === "SUCCESS" && recoveredJobType && !input.skipAlertRecovery) {
    // The sync succeeded; failing to resolve its alerts must not turn it into a failure (the staleness watch also
    // resolves stale alerts, and the next success tries again).
    await recordSyncRecovery(event.shop, recoveredJobType, { now: event.createdAt }).catch((error: Error) =>
      logger.error(
        { scope: "alerts", shop: event.shop, jobType: recoveredJobType, err: error },
        "could not resolve alerts",
      ),
    );
  }
  return event;
}

function createEvent(input: SyncEventInput, job: JobIdentity | undefined) {
  return prisma.syncEvent.create({
    data: {
      shop: input.shop,
      merchantId: input.merchantId ?? null,
      eventType: input.eventType,
      status: input.status,
      itemCount: input.itemCount ?? null,
      processingTimeMs: input.processingTimeMs == null ? null : Math.round(input.processingTimeMs),
      errorMessage: input.errorMessage ?? null,
      metadata: input.metadata,
      createdAt: input.createdAt,
      jobId: job ? BigInt(job.id) : null,
      jobAttempt: job?.attempt ?? null,
    },
  });
}
