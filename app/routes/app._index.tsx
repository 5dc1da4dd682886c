import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Layout, Page } from "@shopify/polaris";
import { ConnectionStatusCard } from "~/components/ConnectionStatusCard";
import { getConnectionStatus } from "~/merchants/connection-status.server";
import { authenticate } from "~/shopify.server";

// The merchant's first page: how their shop stands with the marketplace. The shop comes from the verified
// session, never from the URL.
export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const status = await getConnectionStatus(session.shop);
  return {
    status: status && {
      ...status,
      lastProductSyncAt: status.lastProductSyncAt?.toISOString() ?? null,
      lastInventorySyncAt: status.lastInventorySyncAt?.toISOString() ?? null,
      lastIntegrityCheckAt: status.lastIntegrityCheckAt?.toISOString() ?? null,
      installedAt: status.installedAt.toISOString(),
    },
  };
}

export default function MerchantHome() {
  const { status } = useLoaderData<typeof loader>();
  return (
    <Page title="Marketplace Sync">
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <ConnectionStatusCard status={status} />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
