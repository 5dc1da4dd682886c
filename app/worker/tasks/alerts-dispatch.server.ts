import { dispatchAlert } from "~/alerts/dispatch.server";
import { alertDispatchJob, alertDispatchPayload } from "~/alerts/enqueue-dispatch.server";
import { defineTask } from "../define-task.server";
import { enqueue } from "~/jobs/queue.server";
import { TASK } from "~/jobs/task-names";

// Sends one alert's due deliveries. Channel failures do not fail the job: they are recorded per channel and this job
// queues itself again for the earliest retry (the alert's own backoff), keyed by the alert. Only an error it throws
// (the database unreachable) is retried by its policy: five attempts, a few seconds apart, as graphile-worker's own
// backoff did before. Queued by notifyAdmins and the recovery/staleness paths, never by cron (the sweep covers lost
// jobs).

export const alertsDispatch = defineTask({
  name: TASK.alertsDispatch,
  payload: alertDispatchPayload,
  retry: { maxAttempts: 5, firstDelayMs: 3_000 },
  async run({ alertId }, { helpers }) {
    const result = await dispatchAlert(alertId);
    if (result.failed.length > 0) {
      helpers.logger.warn(`alert ${alertId}: ${result.failed.map((f) => f.error).join("; ")}`);
    }
    if (result.nextAttemptAt) {
      await enqueue(TASK.alertsDispatch, { alertId }, alertDispatchJob(alertId, { runAt: result.nextAttemptAt }));
    }
  },
});
