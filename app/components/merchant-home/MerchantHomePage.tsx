import { Form, useNavigation } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  InlineStack,
  Layout,
  Link,
  Page,
  Text,
} from "@shopify/polaris";
import { SYNC_KIND_EVENT_TYPES, syncKindOfEvent } from "~/jobs/sync-kinds";
import { FINDING_WORDING, type CheckName } from "~/integrity/check";
import { ConnectionStatusCard, type ConnectionStatusView } from "~/components/ConnectionStatusCard";
import {
  ProductSyncProgressCard,
  type FinishedProductSyncView,
  type ProductSyncProgressView,
} from "~/components/ProductSyncProgressCard";

export interface MerchantHomeView {
  status: ConnectionStatusView | null;
  listedProducts: number;
  lastSyncs: Array<{
    eventType: string;
    status: string;
    createdAt: string;
    errorMessage: string | null;
    itemCount: number | null;
  }>;
  events: Array<{
    id: string;
    eventType: string;
    status: string;
    itemCount: number | null;
    errorMessage: string | null;
    createdAt: string;
  }>;
  findings: Array<{
    id: string;
    check: string;
    message: string | null;
    productTitle: string | null;
    variantTitle: string | null;
    fixUrl: string | null;
  }>;
  nextManualSyncAt: string | null;
  productSync: { inProgress: ProductSyncProgressView[]; lastRun: FinishedProductSyncView | null };
}

type SyncNowOutcome = { ok: true; message: string } | { ok: false; error: string };

// A sync kind's event is named by its row (app/jobs/sync-kinds.ts); the other event types here.
const EVENT_LABEL: Record<string, string> = {
  ...Object.fromEntries(SYNC_KIND_EVENT_TYPES.map((type) => [type, syncKindOfEvent(type)!.label])),
  BULK_OPERATION: "Product export",
  WEBHOOK: "Update from Shopify",
};

const STATUS_TONE: Record<string, "success" | "critical" | "warning" | undefined> = {
  SUCCESS: "success",
  FAILURE: "critical",
  PARTIAL: "warning",
};

function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function SyncNowCard({
  canSync,
  nextManualSyncAt,
  outcome,
}: {
  canSync: boolean;
  nextManualSyncAt: string | null;
  outcome: SyncNowOutcome | undefined;
}) {
  const submitting = useNavigation().state === "submitting";
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Sync now
        </Text>
        {outcome && (
          <Banner tone={outcome.ok ? "success" : "warning"}>
            <span data-testid="sync-now-outcome">{outcome.ok ? outcome.message : outcome.error}</span>
          </Banner>
        )}
        <Text as="p" tone="subdued">
          Products sync daily and inventory hourly. Start a product sync now after larger changes (at most once every 10
          minutes).
        </Text>
        <Form method="post">
          <input type="hidden" name="intent" value="sync-now" />
          <Button submit variant="primary" loading={submitting} disabled={!canSync || nextManualSyncAt !== null}>
            Sync products now
          </Button>
        </Form>
        {nextManualSyncAt && (
          <Text as="p" tone="subdued">
            Available again at {when(nextManualSyncAt)}.
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}

export function MerchantHomePage({ data, outcome }: { data: MerchantHomeView; outcome: SyncNowOutcome | undefined }) {
  const { status, listedProducts, lastSyncs, events, findings, nextManualSyncAt } = data;
  const canSync = !!status && status.active && status.approvalStatus === "APPROVED" && !status.syncPaused;
  return (
    <Page title="Marketplace Sync">
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <ConnectionStatusCard status={status} />
            <ProductSyncProgressCard inProgress={data.productSync.inProgress} lastRun={data.productSync.lastRun} />
            <Card>
              <BlockStack gap="200">
                <InlineStack align="space-between" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    <span data-testid="listed-products">{listedProducts}</span> products listed on the marketplace
                  </Text>
                  <Button url="/app/products">Choose products</Button>
                </InlineStack>
                {lastSyncs.map((sync) => (
                  <InlineStack key={sync.eventType} gap="200" blockAlign="center">
                    <Text as="span">{EVENT_LABEL[sync.eventType] ?? sync.eventType}:</Text>
                    <Badge tone={STATUS_TONE[sync.status]}>{sync.status.toLowerCase()}</Badge>
                    <Text as="span" tone="subdued">
                      {when(sync.createdAt)}
                      {sync.errorMessage ? ` · ${sync.errorMessage}` : ""}
                    </Text>
                  </InlineStack>
                ))}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Needs your attention
                </Text>
                {findings.length === 0 ? (
                  <Text as="p" tone="subdued">
                    Nothing: your listed products are in order.
                  </Text>
                ) : (
                  findings.map((finding) => (
                    <InlineStack key={finding.id} gap="200" blockAlign="center">
                      <Badge tone="critical">
                        {FINDING_WORDING[finding.check as CheckName] ?? finding.check.replace(/_/g, " ")}
                      </Badge>
                      <Text as="span">
                        {[finding.productTitle, finding.variantTitle].filter(Boolean).join(" · ") || "A product"}
                        {finding.message ? ` (${finding.message})` : ""}
                      </Text>
                      {finding.fixUrl && (
                        <Link url={finding.fixUrl} target="_top">
                          Fix in Shopify
                        </Link>
                      )}
                    </InlineStack>
                  ))
                )}
              </BlockStack>
            </Card>
            <Card padding="0">
              <DataTable
                columnContentTypes={["text", "text", "text", "numeric", "text"]}
                headings={["When", "Sync", "Outcome", "Items", "Error"]}
                rows={events.map((e) => [
                  when(e.createdAt),
                  EVENT_LABEL[e.eventType] ?? e.eventType,
                  <Badge key="status" tone={STATUS_TONE[e.status]}>
                    {e.status.toLowerCase()}
                  </Badge>,
                  e.itemCount ?? "–",
                  e.errorMessage ?? "",
                ])}
                footerContent={events.length === 0 ? "No syncs yet." : "Recent syncs of your shop"}
              />
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <SyncNowCard canSync={canSync} nextManualSyncAt={nextManualSyncAt} outcome={outcome} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
