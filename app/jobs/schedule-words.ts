// A crontab line in words, for the jobs page: "daily at 03:00 UTC", "Sundays at 02:00 UTC", "every 15 minutes", "every minute".
// Covers the shapes app/worker/schedules.server.ts uses (fixed or stepped minutes, a fixed or every hour, a day of the
// week); anything else is shown as the expression itself, never described wrongly.

const DAYS = ["Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays"];

const pad = (n: number) => String(n).padStart(2, "0");

export function cronInWords(match: string): string {
  const fields = match.trim().split(/\s+/);
  const raw = `cron "${match}" (UTC)`;
  if (fields.length !== 5) return raw;
  const [minute, hour, date, month, dow] = fields;
  if (date !== "*" || month !== "*") return raw;
  const fixed = (field: string, max: number) => (/^\d+$/.test(field) && Number(field) <= max ? Number(field) : null);
  const step = /^\*\/(\d+)$/.exec(minute);
  const m = fixed(minute, 59);
  const h = fixed(hour, 23);
  const d = dow === "*" ? null : fixed(dow, 6);
  if (dow !== "*" && d === null) return raw;

  let words: string | null = null;
  if (minute === "*" && hour === "*") words = "every minute";
  else if (step && hour === "*") words = `every ${step[1]} minutes`;
  else if (m !== null && hour === "*") words = m === 0 ? "hourly, on the hour" : `hourly at :${pad(m)}`;
  else if (m !== null && h !== null) words = `at ${pad(h)}:${pad(m)} UTC`;
  if (words === null) return raw;
  if (d !== null) return `${DAYS[d]} ${words}`;
  return words.startsWith("at ") ? `daily ${words}` : words;
}

/** A backfill period in words: "12 hours", "none". */
export function durationInWords(ms: number): string {
  if (ms <= 0) return "none";
  const hours = ms / 3_600_000;
  if (Number.isInteger(hours)) return hours === 1 ? "1 hour" : `${hours} hours`;
  const minutes = Math.round(ms / 60_000);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}
