import { Badge, BlockStack, Card, InlineStack, Text } from "@shopify/polaris";
import { formatWhen } from "~/components/sync-monitor/format";

export interface ConnectionStatusView {
  shop: string;
  active: boolean;
  approvalStatus: "PENDING" | "APPROVED" | "REJECTED" | "SUSPENDED";
  syncPaused: boolean;
  lastProductSyncAt: string | null;
  lastInventorySyncAt: string | null;
  lastIntegrityCheckAt: string | null;
}

const APPROVAL_BADGE: Record<
  ConnectionStatusView["approvalStatus"],
  { tone?: "success" | "attention" | "critical"; label: string }
> = {
  PENDING: { tone: "attention", label: "Waiting for marketplace approval" },
  APPROVED: { tone: "success", label: "Approved" },
  REJECTED: { tone: "critical", label: "Not approved" },
  SUSPENDED: { tone: "critical", label: "Suspended by the marketplace" },
};

export function ConnectionStatusCard({ status }: { status: ConnectionStatusView | null }) {
  if (!status) {
    return (
      <Card>
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            Not connected yet
          </Text>
          <Text as="p">Your shop is being registered with the marketplace. Reload this page in a moment.</Text>
        </BlockStack>
      </Card>
    );
  }
  const approval = APPROVAL_BADGE[status.approvalStatus];
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">
            {status.shop}
          </Text>
          <Badge tone={approval.tone}>{approval.label}</Badge>
          {!status.active && <Badge tone="critical">Disconnected</Badge>}
          {status.syncPaused && <Badge tone="attention">Syncing paused</Badge>}
        </InlineStack>
        <Text as="p">Last product sync: {formatWhen(status.lastProductSyncAt)}</Text>
        <Text as="p">Last inventory sync: {formatWhen(status.lastInventorySyncAt)}</Text>
        <Text as="p">Last integrity check: {formatWhen(status.lastIntegrityCheckAt)}</Text>
      </BlockStack>
    </Card>
  );
}
