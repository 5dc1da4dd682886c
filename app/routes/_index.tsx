import { redirect, type LoaderFunctionArgs } from "@remix-run/node";

// Shopify opens the app at `/?shop=...&host=...`: hand that to the embedded app; anyone else gets the login form.
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  throw redirect("/auth/login");
}
