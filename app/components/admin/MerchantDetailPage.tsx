import { Form } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Button,
  Card,
  DataTable,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import { AdminCsrfInput } from "~/admin-auth/AdminCsrfInput";
import {
  ProductSyncProgressCard,
  type FinishedProductSyncView,
  type ProductSyncProgressView,
} from "~/components/ProductSyncProgressCard";
import {
  RECONCILIATION_HISTORY_DAYS,
  ReconciliationCorrectionsCard,
  type ReconciliationCorrectionsRow,
} from "~/components/ReconciliationCorrectionsCard";
import { TruthFigureLines, type ShopTruthView } from "~/components/truth/TruthFigure";
import type { IntegrityPreview } from "~/integrity/integrity-preview";
import { SYNC_KIND_INTENTS, syncKindOfIntent, type SyncKindIntent } from "~/jobs/sync-kinds";
import type { MerchantAdminIntent } from "~/merchants/merchant-admin-request.server";
import { formatDuration, sentenceCase, statusTone } from "~/components/sync-monitor/format";
import { WrappingText } from "~/components/WrappingText";
import { ActionOutcomeBanner, formatWhen, type ActionOutcomeView } from "./ActionOutcomeBanner";
import { ApprovalBadge, ConnectionBadges } from "./merchant-badges";
import type { MerchantHealthView } from "./MerchantsPage";

export interface MerchantDetailView {
  health: MerchantHealthView;
  connection: {
    merchantId: string;
    plan: string | null;
    installedAt: string;
    uninstalledAt: string | null;
    approvalChangedAt: string | null;
    approvalChangedBy: string | null;
  };
  events: Array<{
    id: string;
    eventType: string;
    status: string;
    itemCount: number | null;
    processingTimeMs: number | null;
    errorMessage: string | null;
    createdAt: string;
  }>;
  jobs: Array<{ id: string; task: string; state: string; attempt: number; maxAttempts: number; runAt: string }>;
  actions: Array<{ id: string; adminEmail: string; action: string; createdAt: string }>;
  reconciliation: { at: string; corrected: number; levels: number } | null;
  /** What its inventory reconciliations corrected over the last RECONCILIATION_HISTORY_DAYS (one row, or none). */
  reconciliationCorrections: ReconciliationCorrectionsRow[];
  truth: ShopTruthView | null;
  productSync: { inProgress: ProductSyncProgressView[]; lastRun: FinishedProductSyncView | null };
  intents: string[];
  canAct: boolean;
  outcome: (ActionOutcomeView & { preview?: IntegrityPreview }) | undefined;
}

// Every intent has its label (the compiler checks); a sync kind's "run now" is worded from its row's label.
const INTENT_LABELS: Record<MerchantAdminIntent, { label: string; destructive?: boolean }> = {
  approve: { label: "Approve" },
  suspend: { label: "Suspend", destructive: true },
  reject: { label: "Reject", destructive: true },
  pause: { label: "Pause syncing" },
  resume: { label: "Resume syncing" },
  ...(Object.fromEntries(
    SYNC_KIND_INTENTS.map((intent) => [intent, { label: `Run ${syncKindOfIntent(intent)!.label.toLowerCase()} now` }]),
  ) as Record<SyncKindIntent, { label: string }>),
  "preview-integrity": { label: "Preview integrity check" },
};

function IntentButton({ intent, variant }: { intent: string; variant?: "primary" }) {
  const labelled = INTENT_LABELS[intent as MerchantAdminIntent] as
    (typeof INTENT_LABELS)[MerchantAdminIntent] | undefined;
  return (
    <Form method="post">
      <AdminCsrfInput />
      <input type="hidden" name="intent" value={intent} />
      <Button submit variant={variant} tone={labelled?.destructive ? "critical" : undefined}>
        {labelled?.label ?? intent}
      </Button>
    </Form>
  );
}

/** What the dry run found, check by check, and the button that runs the check for real (when it can run). */
function IntegrityPreviewCard({ preview, canRun }: { preview: IntegrityPreview; canRun: boolean }) {
  const found = preview.checks.filter((c) => c.found > 0);
  return (
    <div data-testid="integrity-preview-card">
      <Card>
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">
              Integrity check preview (dry run: nothing was changed)
            </Text>
            {canRun && <IntentButton intent="check-integrity" variant="primary" />}
          </InlineStack>
          <Text as="p">
            <span data-testid="preview-summary">
              A real run would repair {preview.wouldRepair} and flag {preview.wouldFlag} for review.
            </span>
          </Text>
          <div data-testid="integrity-preview">
            <DataTable
              columnContentTypes={["text", "text", "numeric", "text"]}
              headings={["Check", "A real run", "Found", "Examples"]}
              rows={found.map((c) => [
                <BlockStack key="check" gap="050">
                  <Text as="span" fontWeight="semibold">
                    {c.check}
                  </Text>
                  <Text as="span" tone="subdued" variant="bodySm" breakWord>
                    {c.description}
                  </Text>
                </BlockStack>,
                <Badge key="outcome" tone={c.action === "flag" ? "warning" : "info"}>
                  {c.outcome}
                </Badge>,
                c.found,
                <WrappingText key="examples">
                  {c.examples.map((e) => `#${e.id}: ${e.message}`).join("; ")}
                </WrappingText>,
              ])}
              footerContent={
                found.length === 0
                  ? "Every check passes: a real run would change nothing."
                  : `${preview.checks.length - found.length} other checks found nothing.`
              }
            />
          </div>
        </BlockStack>
      </Card>
    </div>
  );
}

function Stat({ label, value }: { label: string; value: string | number }) {
  return (
    <BlockStack gap="100">
      <Text as="span" tone="subdued" variant="bodySm">
        {label}
      </Text>
      <Text as="span" variant="headingLg">
        <span data-testid={`stat-${label.toLowerCase().replace(/\W+/g, "-")}`}>{value}</span>
      </Text>
    </BlockStack>
  );
}

export function MerchantDetailPage(props: MerchantDetailView) {
  const { health, connection, events, jobs, actions, reconciliation, truth, productSync, intents, canAct, outcome } =
    props;
  return (
    <Page
      title={health.shop}
      subtitle={health.shopName ?? undefined}
      backAction={{ content: "Merchants", url: "/admin/merchants" }}
      titleMetadata={
        <InlineStack gap="100">
          <ApprovalBadge status={health.approvalStatus} />
          <ConnectionBadges active={health.active} syncPaused={health.syncPaused} />
        </InlineStack>
      }
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <ActionOutcomeBanner outcome={outcome} />
            {canAct && intents.length > 0 && (
              <Card>
                <InlineStack gap="200">
                  {intents.map((intent) => (
                    <IntentButton key={intent} intent={intent} />
                  ))}
                </InlineStack>
              </Card>
            )}
            <ProductSyncProgressCard inProgress={productSync.inProgress} lastRun={productSync.lastRun} />
            {outcome?.ok && outcome.preview && (
              <IntegrityPreviewCard preview={outcome.preview} canRun={canAct && intents.includes("check-integrity")} />
            )}
            <Card>
              <InlineGrid columns={4} gap="400">
                <Stat label="Listed products" value={`${health.productsListed} / ${health.products}`} />
                <Stat label="Variants out of stock" value={`${health.variantsOutOfStock} / ${health.variantsListed}`} />
                <Stat label="Open findings" value={health.openFindings} />
                <Stat label="Open alerts" value={health.openAlerts} />
              </InlineGrid>
            </Card>
            <Card padding="0">
              <DataTable
                columnContentTypes={["text", "text", "text", "numeric", "numeric", "text"]}
                headings={["When", "Type", "Status", "Items", "Duration", "Error"]}
                rows={events.map((e) => [
                  formatWhen(e.createdAt),
                  sentenceCase(e.eventType),
                  <Badge key="status" tone={statusTone(e.status)}>
                    {sentenceCase(e.status)}
                  </Badge>,
                  e.itemCount ?? "–",
                  formatDuration(e.processingTimeMs),
                  <WrappingText key="error">{e.errorMessage ?? ""}</WrappingText>,
                ])}
                footerContent={
                  events.length === 0 ? "No sync events yet." : `The ${events.length} most recent sync events`
                }
              />
            </Card>
            <ReconciliationCorrectionsCard
              rows={props.reconciliationCorrections}
              range={`the last ${RECONCILIATION_HISTORY_DAYS} days`}
              showShop={false}
            />
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="100">
                <Text as="h2" variant="headingMd">
                  Connection
                </Text>
                <Text as="p">Merchant id: {connection.merchantId}</Text>
                <Text as="p">Installed: {formatWhen(connection.installedAt)}</Text>
                {connection.uninstalledAt && <Text as="p">Uninstalled: {formatWhen(connection.uninstalledAt)}</Text>}
                <Text as="p">
                  Approval changed: {formatWhen(connection.approvalChangedAt)}
                  {connection.approvalChangedBy ? ` by ${connection.approvalChangedBy}` : ""}
                </Text>
                <Text as="p">Last product sync: {formatWhen(health.lastProductSyncAt)}</Text>
                <Text as="p">Last inventory sync: {formatWhen(health.lastInventorySyncAt)}</Text>
                <Text as="p">
                  {reconciliation
                    ? `Last inventory reconciliation: ${formatWhen(reconciliation.at)}, corrected ${reconciliation.corrected} of ${reconciliation.levels} levels read`
                    : "No inventory reconciliation yet"}
                </Text>
                <Text as="p">Last integrity check: {formatWhen(health.lastIntegrityCheckAt)}</Text>
                <TruthFigureLines truth={truth} />
                <InlineStack gap="200">
                  <Button variant="plain" url={`/admin/findings?shop=${encodeURIComponent(health.shop)}`}>
                    Findings
                  </Button>
                  <Button variant="plain" url={`/admin/alerts?shop=${encodeURIComponent(health.shop)}`}>
                    Alerts
                  </Button>
                  <Button variant="plain" url={`/admin/sync-monitor?shop=${encodeURIComponent(health.shop)}`}>
                    Sync monitor
                  </Button>
                </InlineStack>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="100">
                <Text as="h2" variant="headingMd">
                  Queued jobs
                </Text>
                {jobs.length === 0 && (
                  <Text as="p" tone="subdued">
                    None.
                  </Text>
                )}
                {jobs.map((job) => (
                  <Text as="p" key={job.id}>
                    <span data-testid="merchant-job">
                      {job.task}: {job.state} (attempt {job.attempt} of {job.maxAttempts}), runs {formatWhen(job.runAt)}
                    </span>
                  </Text>
                ))}
                <Button variant="plain" url={`/admin/jobs?shop=${encodeURIComponent(health.shop)}`}>
                  All jobs of this shop
                </Button>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="100">
                <Text as="h2" variant="headingMd">
                  Admin actions
                </Text>
                {actions.length === 0 && (
                  <Text as="p" tone="subdued">
                    None yet.
                  </Text>
                )}
                {actions.map((a) => (
                  <Text as="p" key={a.id} variant="bodySm">
                    {formatWhen(a.createdAt)}: {a.action} by {a.adminEmail}
                  </Text>
                ))}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
