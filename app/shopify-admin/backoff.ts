// Waits between retries of one Admin API request (5xx, 429, network errors): exponential with "equal jitter",
// so many workers retrying at once spread out, and never less than half the step.
export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { baseMs: 500, maxMs: 30_000 };

export function backoffDelayMs(attempt: number, settings: BackoffSettings, random: () => number): number {
  const step = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

// Retry-After is seconds (Shopify sends "2.0"); an unreadable value means "use the backoff".
export function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : null;
}
