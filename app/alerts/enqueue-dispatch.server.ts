import { z } from "zod";
import { pgPool } from "~/db.server";
import { enqueue, type EnqueueOptions } from "~/jobs/queue.server";
import type { Queryable } from "~/lib/queryable.server";
import { TASK } from "~/jobs/task-names";

// The one place alerts reach the job queue. One job per alert, keyed by the alert, so a burst of notifications for
// one incident queues one dispatch; `replace` moves a pending retry forward.

/** The payload of an alert's dispatch job (the alerts-dispatch task, app/worker/tasks/alerts-dispatch.server.ts). */
export const alertDispatchPayload = z.object({ alertId: z.number().int().positive() });

declare module "~/jobs/task-payloads" {
  interface TaskPayloadSchemas {
    [TASK.alertsDispatch]: typeof alertDispatchPayload;
  }
}

/** The enqueue options of an alert's dispatch job. */
export function alertDispatchJob(alertId: number, options: { runAt?: Date; on?: Queryable } = {}): EnqueueOptions {
  return { runAt: options.runAt, on: options.on, jobKey: `${TASK.alertsDispatch}:${alertId}`, jobKeyMode: "replace" };
}

export async function enqueueAlertDispatch(
  alertIds: number[],
  options: { runAt?: Date; db?: Queryable } = {},
): Promise<void> {
  // On the app's pool unless a transaction is given: notifications are raised from requests and jobs alike.
  const on = options.db ?? pgPool();
  for (const alertId of alertIds) {
    await enqueue(TASK.alertsDispatch, { alertId }, alertDispatchJob(alertId, { runAt: options.runAt, on }));
  }
}
