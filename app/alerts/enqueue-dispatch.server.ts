import { pgPool } from "~/db.server";
import type { Queryable } from "~/lib/queryable.server";
import { TASK } from "~/jobs/task-names";

// The one place alerts reach the job queue (swap it here if the queue changes). One job per alert, keyed by the
// alert, so a burst of notifications for one incident queues one dispatch; `replace` moves a pending retry forward.

export const ALERT_DISPATCH_TASK = TASK.alertsDispatch;

export async function enqueueAlertDispatch(
  alertIds: number[],
  options: { runAt?: Date; db?: Queryable } = {},
): Promise<void> {
  if (alertIds.length === 0) return;
  const db = options.db ?? pgPool();
  await db.query(
    `SELECT graphile_worker.add_job(
              $1,
              json_build_object('alertId', alert_id),
              run_at => $3::timestamptz,
              max_attempts => 5,
              job_key => $1 || ':' || alert_id,
              job_key_mode => 'replace')
       FROM unnest($2::int[]) AS alert_id`,
    [ALERT_DISPATCH_TASK, alertIds, options.runAt ?? null],
  );
}
