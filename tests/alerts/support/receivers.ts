import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

// Real receivers in the test process: an HTTP server for the Slack-compatible and JSON webhooks, and an SMTP server
// for email. Both listen on port 0 (a free port) on 127.0.0.1.

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
}

export interface HttpReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** How the next requests to `path` are answered (status codes, in order); later requests get 200. */
  failNext(path: string, ...statuses: number[]): void;
  /** Every request to `path` gets this status until cleared with null. */
  failAlways(path: string, status: number | null): void;
  received(path: string): ReceivedRequest[];
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const planned = new Map<string, number[]>();
  const always = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const path = req.url ?? "/";
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      requests.push({ path, headers: req.headers, body, json });
      const status = always.get(path) ?? planned.get(path)?.shift() ?? 200;
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "broken");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (path, ...statuses) => planned.set(path, statuses),
    failAlways: (path, status) => (status === null ? always.delete(path) : always.set(path, status)),
    received: (path) => requests.filter((r) => r.path === path),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  user: string | undefined;
  raw: string;
  subject: string;
}

export interface SmtpReceiver {
  port: number;
  mails: ReceivedMail[];
  /** From now on, answer every recipient with this SMTP reply (e.g. 550 "mailbox unavailable"); null accepts again. */
  rejectRecipients(reply: { code: number; message: string } | null): void;
  close(): Promise<void>;
}

export async function startSmtpReceiver(
  credentials: { user: string; password: string },
  options: { port?: number } = {},
): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  let rejection: { code: number; message: string } | null = null;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"], // plain SMTP on loopback; the test checks AUTH and delivery, not TLS
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === credentials.user && auth.password === credentials.password) {
        callback(null, { user: auth.username });
      } else {
        callback(new Error("Invalid username or password"));
      }
    },
    onRcptTo(_address, _session, callback) {
      if (!rejection) return callback();
      const error = Object.assign(new Error(rejection.message), { responseCode: rejection.code });
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const subject = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)?.[1]?.replace(/\r?\n[ \t]/g, " ") ?? "";
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw,
          subject,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    rejectRecipients: (reply) => void (rejection = reply),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
