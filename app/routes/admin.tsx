import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Outlet, isRouteErrorResponse, useLoaderData, useLocation, useRouteError } from "@remix-run/react";
import { AppProvider as PolarisAppProvider, Banner, Page } from "@shopify/polaris";
import polarisTranslations from "@shopify/polaris/locales/en.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { requireAdmin } from "~/admin-auth/guards.server";
import { ADMIN_LOGIN } from "~/admin-auth/safe-redirect";
import { AdminFrame } from "~/components/AdminFrame";
import { AdminLink } from "~/components/AdminLink";

// The platform admin area: standalone (not embedded in Shopify admin), Polaris, signed in with the admin cookie.
// Every page below requires a signed-in admin except the sign-in page, which renders without the top bar.

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];
export const meta: MetaFunction = () => [{ title: "Marketplace Sync admin" }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (new URL(request.url).pathname === ADMIN_LOGIN) return json({ admin: null });
  const { id, email, role, csrfToken } = await requireAdmin(request);
  return json({ admin: { id, email, role, csrfToken } });
}

export default function AdminLayout() {
  const { admin } = useLoaderData<typeof loader>();
  const { pathname } = useLocation();
  return (
    <PolarisAppProvider i18n={polarisTranslations} linkComponent={AdminLink}>
      {admin ? (
        <AdminFrame email={admin.email} role={admin.role} currentPath={pathname} csrfToken={admin.csrfToken}>
          <Outlet />
        </AdminFrame>
      ) : (
        <Outlet />
      )}
    </PolarisAppProvider>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const title = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : "Something went wrong";
  const detail = isRouteErrorResponse(error) && typeof error.data === "string" ? error.data : "The error was logged.";
  return (
    <PolarisAppProvider i18n={polarisTranslations}>
      <Page title={title} backAction={{ content: "Sync monitor", url: "/admin/sync-monitor" }}>
        <Banner tone="critical">{detail}</Banner>
      </Page>
    </PolarisAppProvider>
  );
}
