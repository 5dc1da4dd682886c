import { Button, Card, DataTable, InlineStack, Page, Text } from "@shopify/polaris";
import { formatWhen } from "./ActionOutcomeBanner";
import { ApprovalBadge, ConnectionBadges, type ApprovalStatusName } from "./merchant-badges";

export interface MerchantHealthView {
  shop: string;
  shopName: string | null;
  active: boolean;
  approvalStatus: ApprovalStatusName;
  syncPaused: boolean;
  products: number;
  productsListed: number;
  variantsListed: number;
  variantsOutOfStock: number;
  openFindings: number;
  openAlerts: number;
  lastProductSyncAt: string | null;
  lastInventorySyncAt: string | null;
  lastIntegrityCheckAt: string | null;
}

export function merchantUrl(shop: string): string {
  return `/admin/merchants/${encodeURIComponent(shop)}`;
}

export function MerchantsPage({ merchants }: { merchants: MerchantHealthView[] }) {
  const rows = merchants.map((m) => [
    <Button key="shop" variant="plain" url={merchantUrl(m.shop)}>
      {m.shop}
    </Button>,
    <InlineStack key="connection" gap="100">
      <ConnectionBadges active={m.active} syncPaused={m.syncPaused} />
    </InlineStack>,
    <ApprovalBadge key="approval" status={m.approvalStatus} />,
    `${m.productsListed} / ${m.products}`,
    `${m.variantsOutOfStock} / ${m.variantsListed}`,
    m.openFindings,
    m.openAlerts,
    formatWhen(m.lastProductSyncAt),
    formatWhen(m.lastInventorySyncAt),
    formatWhen(m.lastIntegrityCheckAt),
  ]);
  return (
    <Page title="Merchants" subtitle={`${merchants.length} connected or known shops`}>
      <Card padding="0">
        {merchants.length === 0 ? (
          <div style={{ padding: "1rem" }}>
            <Text as="p" tone="subdued">
              No merchant has installed the app yet.
            </Text>
          </div>
        ) : (
          <DataTable
            columnContentTypes={["text", "text", "text", "numeric", "numeric", "numeric", "numeric", "text", "text", "text"]}
            headings={[
              "Shop",
              "Connection",
              "Approval",
              "Listed / products",
              "Out of stock / listed variants",
              "Open findings",
              "Open alerts",
              "Last product sync",
              "Last inventory sync",
              "Last integrity check",
            ]}
            rows={rows}
          />
        )}
      </Card>
    </Page>
  );
}
