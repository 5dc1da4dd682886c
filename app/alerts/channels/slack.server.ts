import { type AlertChannel, type AlertMessage } from "./channel";
import { maskUrl, postJson } from "./http-post.server";

// A Slack incoming webhook, or anything that accepts its payload (Mattermost, Rocket.Chat, Teams' Slack
// compatibility): `text` is the one field all of them read.

const EMOJI: Record<AlertMessage["kind"], string> = {
  FIRING: ":rotating_light:",
  REMINDER: ":repeat:",
  RECOVERED: ":white_check_mark:",
};

export function slackPayload(message: AlertMessage) {
  return {
    text: `${EMOJI[message.kind]} *${message.subject}*\n${message.text}\n<${message.url}|Open in Marketplace Sync>`,
  };
}

export function slackChannel(webhookUrl: string): AlertChannel {
  return {
    name: "slack",
    secrets: [webhookUrl],
    send: (message) => postJson("slack", webhookUrl, JSON.stringify(slackPayload(message))),
    describe: () => ({ name: "slack", configured: true, target: maskUrl(webhookUrl) }),
  };
}
