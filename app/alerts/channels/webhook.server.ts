import { createHmac } from "node:crypto";
import { type AlertChannel, type AlertMessage } from "./channel";
import { maskUrl, postJson } from "./http-post.server";

// A generic JSON webhook for any receiver (PagerDuty/Opsgenie bridges, an internal service). With a secret, the body
// is signed so the receiver can tell our calls from anyone's: X-Signature-SHA256 = hex HMAC-SHA256(secret, body).

export const SIGNATURE_HEADER = "x-signature-sha256";
export const DELIVERY_HEADER = "x-alert-delivery-id";

export function webhookPayload(message: AlertMessage) {
  return {
    event: `alert.${message.kind.toLowerCase()}`,
    deliveryId: message.deliveryId,
    subject: message.subject,
    text: message.text,
    url: message.url,
    alert: message.alert,
  };
}

export function signBody(secret: string, body: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

export function webhookChannel(url: string, secret?: string): AlertChannel {
  return {
    name: "webhook",
    secrets: [url, ...(secret ? [secret] : [])],
    async send(message) {
      const body = JSON.stringify(webhookPayload(message));
      const headers: Record<string, string> = { [DELIVERY_HEADER]: message.deliveryId };
      if (secret) headers[SIGNATURE_HEADER] = signBody(secret, body);
      await postJson("webhook", url, body, headers);
    },
    describe: () => ({
      name: "webhook",
      configured: true,
      target: maskUrl(url),
      details: { signed: secret ? "yes" : "no" },
    }),
  };
}
