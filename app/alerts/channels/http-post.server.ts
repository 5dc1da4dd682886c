import { ChannelDeliveryError, type ChannelName } from "./channel";

const TIMEOUT_MS = 10_000;

/**
 * POSTs JSON and throws a ChannelDeliveryError worded without the URL: fetch's own errors and our logs must never
 * carry a webhook URL, whose path is the credential.
 */
export async function postJson(
  channel: ChannelName,
  url: string,
  body: string,
  headers: Record<string, string> = {},
  timeoutMs = TIMEOUT_MS,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    const reason =
      (error as Error).name === "TimeoutError"
        ? `no answer within ${timeoutMs / 1000} s`
        : (cause?.code ?? "network error");
    throw new ChannelDeliveryError(channel, reason);
  }
  // Drain the body so the connection is released, whatever the status.
  const answer = await response.text().catch(() => "");
  if (!response.ok) {
    throw new ChannelDeliveryError(channel, `HTTP ${response.status} ${answer.slice(0, 200)}`.trim());
  }
}

/** "https://hooks.slack.com/…": enough to recognise the target, nothing to reuse. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/…`;
  } catch {
    return "(invalid URL)";
  }
}
