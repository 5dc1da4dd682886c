import nodemailer from "nodemailer";
import { ChannelDeliveryError, type AlertChannel } from "./channel";

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
  to: string[];
}

export function emailChannel(settings: SmtpSettings): AlertChannel {
  // One transport per channel instance; it opens a connection per message (no pool): alerts are rare.
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    auth: settings.user ? { user: settings.user, pass: settings.password ?? "" } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    name: "email",
    secrets: settings.password ? [settings.password] : [],
    async send(message) {
      try {
        await transport.sendMail({
          from: settings.from,
          to: settings.to,
          subject: message.subject,
          text: `${message.text}\n\n${message.url}\n`,
          headers: { "X-Alert-Delivery-Id": message.deliveryId },
        });
      } catch (error) {
        // nodemailer's messages carry the server's reply, never our password; dispatch redacts secrets anyway.
        throw new ChannelDeliveryError("email", (error as Error).message);
      }
    },
    describe: () => ({
      name: "email",
      configured: true,
      target: `${settings.host}:${settings.port}`,
      details: {
        tls: settings.secure ? "implicit TLS" : "STARTTLS when offered",
        user: settings.user ?? "(none)",
        password: settings.password ? "set" : "not set",
        from: settings.from,
        to: settings.to.join(", "),
      },
    }),
  };
}
