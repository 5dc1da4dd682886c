import { Form } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Button,
  ButtonGroup,
  Card,
  DataTable,
  InlineStack,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import { AdminCsrfInput } from "~/admin-auth/AdminCsrfInput";
import type { AlertListItem } from "~/alerts/list-alerts.server";
import type { Serialized } from "~/lib/serialized";
import { KeysetPagination } from "~/components/KeysetPagination";
import { writeCursor, type KeysetCursor } from "~/lib/keyset-cursor";
import { EmptyTableMessage } from "./EmptyTableMessage";
import { ActionOutcomeBanner, formatWhen, type ActionOutcomeView } from "./ActionOutcomeBanner";

type AlertStatusName = "OPEN" | "ACKNOWLEDGED" | "RESOLVED";

export type AlertRowView = Serialized<AlertListItem>;

export interface ChannelView {
  name: string;
  configured: boolean;
  target: string | null;
}

interface AlertsPageProps {
  status: AlertStatusName;
  shop?: string;
  alerts: AlertRowView[];
  counts: Record<AlertStatusName, number>;
  next: KeysetCursor | null;
  previous: KeysetCursor | null;
  channels: ChannelView[];
  canAct: boolean;
  outcome: ActionOutcomeView | undefined;
}

const TABS: Array<{ status: AlertStatusName; label: string }> = [
  { status: "OPEN", label: "Open" },
  { status: "ACKNOWLEDGED", label: "Acknowledged" },
  { status: "RESOLVED", label: "Resolved" },
];

const SEVERITY_TONE = { INFO: "info", WARNING: "warning", CRITICAL: "critical" } as const;

/** A tab's page with the shop filter kept (exported: the tests walk the pages through these links). */
export function alertsUrl(
  status: AlertStatusName,
  shop: string | undefined,
  cursor: KeysetCursor | null = null,
): string {
  const query = new URLSearchParams({ status });
  if (shop) query.set("shop", shop);
  return `/admin/alerts?${writeCursor(query, cursor)}`;
}

export function AlertsPage({
  status,
  shop,
  alerts,
  counts,
  next,
  previous,
  channels,
  canAct,
  outcome,
}: AlertsPageProps) {
  const rows = alerts.map((alert) => [
    <BlockStack gap="100" key="title">
      <InlineStack gap="200" blockAlign="center">
        <Badge tone={SEVERITY_TONE[alert.severity]}>{alert.severity}</Badge>
        <Text as="span" fontWeight="semibold">
          {alert.title}
        </Text>
      </InlineStack>
      <Text as="span" tone="subdued" variant="bodySm">
        {alert.type}
        {alert.acknowledgedBy ? ` · acknowledged by ${alert.acknowledgedBy} ${formatWhen(alert.acknowledgedAt)}` : ""}
        {alert.resolvedAt ? ` · resolved ${formatWhen(alert.resolvedAt)}` : ""}
      </Text>
    </BlockStack>,
    alert.shop ?? "all shops",
    alert.jobType ?? "–",
    alert.occurrences,
    formatWhen(alert.firstSeenAt),
    formatWhen(alert.lastSeenAt),
    alert.notifiedChannels.length > 0 ? alert.notifiedChannels.join(", ") : "none",
    alert.status === "OPEN" && canAct ? (
      <Form method="post" key="ack">
        <AdminCsrfInput />
        <input type="hidden" name="intent" value="acknowledge" />
        <input type="hidden" name="alertId" value={alert.id} />
        <Button submit size="slim" accessibilityLabel={`Acknowledge alert ${alert.id}`}>
          Acknowledge
        </Button>
      </Form>
    ) : (
      ""
    ),
  ]);

  return (
    <Page fullWidth title="Alerts" subtitle={shop ? `Shop ${shop}` : "All shops"}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <ActionOutcomeBanner outcome={outcome} />
            <ButtonGroup variant="segmented">
              {TABS.map((tab) => (
                <Button key={tab.status} url={alertsUrl(tab.status, shop)} pressed={tab.status === status}>
                  {`${tab.label} (${counts[tab.status]})`}
                </Button>
              ))}
            </ButtonGroup>
            <Card padding="0">
              {alerts.length === 0 ? (
                <EmptyTableMessage>No {status.toLowerCase()} alerts.</EmptyTableMessage>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "numeric", "text", "text", "text", "text"]}
                  headings={["Alert", "Shop", "Job type", "Occurrences", "First seen", "Last seen", "Notified", ""]}
                  rows={rows}
                />
              )}
              <KeysetPagination previous={previous} next={next} href={(cursor) => alertsUrl(status, shop, cursor)} />
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Alert channels
              </Text>
              {channels.map((channel) => (
                <InlineStack key={channel.name} gap="200" blockAlign="center">
                  <Badge tone={channel.configured ? "success" : undefined}>{channel.configured ? "on" : "off"}</Badge>
                  <Text as="span">{channel.name}</Text>
                  <Text as="span" tone="subdued" variant="bodySm">
                    {channel.target ?? "not configured"}
                  </Text>
                </InlineStack>
              ))}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
