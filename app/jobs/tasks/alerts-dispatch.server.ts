import type { Task } from "graphile-worker";
import { z } from "zod";
import { dispatchAlert } from "~/alerts/dispatch.server";
import { ALERT_DISPATCH_TASK } from "~/alerts/enqueue-dispatch.server";

// Sends one alert's due deliveries. Channel failures do not fail the job: they are recorded per channel and this job
// queues itself again for the earliest retry (the alert's own backoff, not graphile-worker's), keyed by the alert.
// Queued by notifyAdmins and the recovery/staleness paths, never by cron (the sweep covers lost jobs).

const payload = z.object({ alertId: z.number().int().positive() });

export const alertsDispatch: Task = async (raw, helpers) => {
  const { alertId } = payload.parse(raw);
  const result = await dispatchAlert(alertId);
  if (result.failed.length > 0) {
    helpers.logger.warn(`alert ${alertId}: ${result.failed.map((f) => f.error).join("; ")}`);
  }
  if (result.nextAttemptAt) {
    await helpers.addJob(ALERT_DISPATCH_TASK, { alertId }, {
      runAt: result.nextAttemptAt,
      jobKey: `${ALERT_DISPATCH_TASK}:${alertId}`,
      jobKeyMode: "replace",
      maxAttempts: 5,
    });
  }
};
