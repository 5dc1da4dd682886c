import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { env } from "~/env.server";
import { appBridgeUrl } from "~/shopify-admin/app-bridge-source";
import { authenticate } from "~/shopify.server";

// The embedded merchant app's layout: every /app/* page is authenticated as a Shopify admin session first.

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  await authenticate.admin(request);
  // The API key is public (App Bridge needs it in the browser); the secret never leaves the server. App Bridge is
  // Shopify's, except when the emulator stands in for Shopify (app/shopify-admin/app-bridge-source.ts).
  const config = env();
  return { apiKey: config.SHOPIFY_API_KEY, appBridgeUrl: appBridgeUrl(config.SHOPIFY_ADMIN_API_BASE) };
}

export default function App() {
  const { apiKey, appBridgeUrl } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} __APP_BRIDGE_URL={appBridgeUrl}>
      <NavMenu>
        <Link to="/app" rel="home">
          Marketplace Sync
        </Link>
        <Link to="/app/products">Products</Link>
        <Link to="/app/locations">Locations</Link>
      </NavMenu>
      <Outlet />
    </AppProvider>
  );
}

export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
