import { randomBytes } from "node:crypto";
import { createCookie, type Cookie } from "@remix-run/node";
import { isProduction } from "~/env.server";
import { adminSessionSecret } from "./session-secret.server";

// A browser that signed in to an account gets a long-lived signed cookie naming the account and a random device id.
// Its later sign-ins to that account are throttled on the device's own key instead of the account's and the
// client address's (sign-in-throttle.server.ts), so a stranger's guessing cannot keep the operator out.

const MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

interface DeviceCookieValue {
  email: string;
  deviceId: string;
}

let cookie: { secret: string; cookie: Cookie } | undefined;
function deviceCookie(): Cookie {
  const secret = adminSessionSecret();
  if (cookie?.secret !== secret) {
    cookie = {
      secret,
      cookie: createCookie("__ms_admin_device", {
        path: "/admin/login",
        httpOnly: true,
        sameSite: "strict",
        secure: isProduction(),
        maxAge: MAX_AGE_SECONDS,
        secrets: [secret],
      }),
    };
  }
  return cookie.cookie;
}

/** The device id when the request carries this account's device cookie (signed by us), else null. */
export async function knownDeviceId(request: Request, email: string): Promise<string | null> {
  const value = (await deviceCookie()
    .parse(request.headers.get("Cookie"))
    .catch(() => null)) as Partial<DeviceCookieValue> | null;
  if (!value || value.email !== email || typeof value.deviceId !== "string") return null;
  return value.deviceId;
}

/** The Set-Cookie header that marks this browser as known for the account (keeping its id if it had one). */
export function rememberDevice(email: string, deviceId: string | null): Promise<string> {
  return deviceCookie().serialize({
    email,
    deviceId: deviceId ?? randomBytes(16).toString("base64url"),
  } satisfies DeviceCookieValue);
}
