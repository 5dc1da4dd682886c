import {
  json,
  redirect,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LoaderFunctionArgs,
} from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { openAdminSession } from "~/admin-auth/admin-session.server";
import { refuseCrossSiteRequest } from "~/admin-auth/csrf.server";
import { currentAdmin } from "~/admin-auth/guards.server";
import { safeAdminRedirect } from "~/admin-auth/safe-redirect";
import { SIGN_IN_REFUSED, attemptSignIn, signInThrottled } from "~/admin-auth/sign-in.server";
import { AdminSignInForm } from "~/components/AdminSignInForm";
import { clientAddressOf } from "~/lib/client-address.server";
import { BODY_LIMITS, readFormWithin } from "~/lib/request-body.server";
import { userText } from "~/lib/user-text";

const signInForm = z.object({
  email: userText(320, 1),
  password: z.string().min(1).max(1024),
  redirectTo: z.string().optional(),
});

// A document POST (the form without JavaScript) answers with the route's headers: pass the throttle's Retry-After on.
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const passed = new Headers();
  const retryAfter = actionHeaders.get("Retry-After");
  if (retryAfter) passed.set("Retry-After", retryAfter);
  return passed;
};

export async function loader({ request }: LoaderFunctionArgs) {
  const redirectTo = safeAdminRedirect(new URL(request.url).searchParams.get("redirectTo"));
  if (await currentAdmin(request)) throw redirect(redirectTo);
  return json({ redirectTo });
}

export async function action({ request, context }: ActionFunctionArgs) {
  refuseCrossSiteRequest(request);
  const parsed = signInForm.safeParse(Object.fromEntries(await readFormWithin(request, BODY_LIMITS.adminForm)));
  if (!parsed.success) return json({ error: "Enter your email and password." }, { status: 400 });
  const outcome = await attemptSignIn({ ...parsed.data, clientAddress: clientAddressOf(context), request });
  if (!outcome.ok && outcome.reason === "throttled") {
    return json(
      { error: signInThrottled(outcome.retryAfterSeconds) },
      { status: 429, headers: { "Retry-After": String(outcome.retryAfterSeconds) } },
    );
  }
  if (!outcome.ok) return json({ error: SIGN_IN_REFUSED }, { status: 401 });
  const headers = new Headers();
  headers.append("Set-Cookie", await openAdminSession(request, outcome.adminUserId));
  headers.append("Set-Cookie", outcome.deviceCookie);
  return redirect(safeAdminRedirect(parsed.data.redirectTo), { headers });
}

export default function AdminLogin() {
  const { redirectTo } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  return (
    <AdminSignInForm redirectTo={redirectTo} error={actionData?.error} submitting={navigation.state === "submitting"} />
  );
}
