import { pgPool } from "~/db.server";
import { DomainError } from "~/lib/domain-error";
import { alertExists } from "./list-alerts.server";
import { alertColumns, type AlertRow } from "./alert-row.server";

/**
 * An admin has seen the alert and is on it: it stays open (repeats still count) but sends no more reminders.
 * Returns the alert, or null when there is no such open alert (already acknowledged or resolved).
 */
export async function acknowledgeAlert(alertId: number, by: string, now: Date = new Date()): Promise<AlertRow | null> {
  const { rows } = await pgPool().query<AlertRow>(
    `UPDATE alert AS a SET status = 'ACKNOWLEDGED', acknowledged_at = $3, acknowledged_by = $2
      WHERE a.id = $1 AND a.status = 'OPEN'
     RETURNING ${alertColumns("a")}`,
    [alertId, by, now],
  );
  return rows[0] ?? null;
}

/** An operator's acknowledge from the alerts page: what was done, or a DomainError that says why not. */
export async function acknowledgeAlertRequest(alertId: number, by: string): Promise<string> {
  if (await acknowledgeAlert(alertId, by)) return `Alert #${alertId} acknowledged: no more reminders will be sent.`;
  if (!(await alertExists(alertId)))
    throw new DomainError("ALERT_NOT_FOUND", `There is no alert #${alertId}.`, { alertId });
  throw new DomainError(
    "ALERT_NOT_OPEN",
    `Alert #${alertId} is not open any more (already acknowledged or resolved).`,
    { alertId },
  );
}
