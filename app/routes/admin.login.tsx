import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { refuseCrossSiteRequest } from "~/admin-auth/csrf.server";
import { currentAdmin } from "~/admin-auth/guards.server";
import { safeAdminRedirect } from "~/admin-auth/safe-redirect";
import { SIGN_IN_REFUSED, checkCredentials, startAdminSession } from "~/admin-auth/sign-in.server";
import { AdminSignInForm } from "~/components/AdminSignInForm";

const signInForm = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
  redirectTo: z.string().optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const redirectTo = safeAdminRedirect(new URL(request.url).searchParams.get("redirectTo"));
  if (await currentAdmin(request)) throw redirect(redirectTo);
  return json({ redirectTo });
}

export async function action({ request }: ActionFunctionArgs) {
  refuseCrossSiteRequest(request);
  const parsed = signInForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return json({ error: "Enter your email and password." }, { status: 400 });
  const outcome = await checkCredentials(parsed.data.email, parsed.data.password);
  if (!outcome.ok) return json({ error: SIGN_IN_REFUSED }, { status: 401 });
  return redirect(safeAdminRedirect(parsed.data.redirectTo), {
    headers: { "Set-Cookie": await startAdminSession(request, outcome) },
  });
}

export default function AdminLogin() {
  const { redirectTo } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  return <AdminSignInForm redirectTo={redirectTo} error={actionData?.error} submitting={navigation.state === "submitting"} />;
}
