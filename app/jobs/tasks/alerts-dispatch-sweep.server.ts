import type { Task } from "graphile-worker";
import { z } from "zod";
import { dispatchDueDeliveries } from "~/alerts/dispatch.server";
import { TASK } from "~/jobs/task-names";

// Cron (every 5 minutes): sends deliveries whose dispatch job was never queued or whose dispatcher died.
export const ALERTS_DISPATCH_SWEEP_TASK = TASK.alertsDispatchSweep;

// Cron jobs carry graphile-worker's `_cron` field; nothing else is expected.
const payload = z.object({}).passthrough();

export const alertsDispatchSweep: Task = async (raw, helpers) => {
  payload.parse(raw ?? {});
  const alertIds = await dispatchDueDeliveries();
  if (alertIds.length > 0) helpers.logger.info(`swept deliveries of alerts ${alertIds.join(", ")}`);
};
