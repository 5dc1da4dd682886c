import { Form } from "@remix-run/react";
import { Badge, BlockStack, Button, ButtonGroup, Card, DataTable, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { AdminCsrfInput } from "~/admin-auth/AdminCsrfInput";
import { ActionOutcomeBanner, formatWhen, type ActionOutcomeView } from "./ActionOutcomeBanner";

type AlertStatusName = "OPEN" | "ACKNOWLEDGED" | "RESOLVED";

export interface AlertRowView {
  id: number;
  type: string;
  severity: "INFO" | "WARNING" | "CRITICAL";
  shop: string | null;
  jobType: string | null;
  title: string;
  status: AlertStatusName;
  occurrences: number;
  firstSeenAt: string;
  lastSeenAt: string;
  notifiedChannels: string[];
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
}

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
  truncated: boolean;
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

function tabUrl(status: AlertStatusName, shop: string | undefined): string {
  const query = new URLSearchParams({ status });
  if (shop) query.set("shop", shop);
  return `/admin/alerts?${query}`;
}

export function AlertsPage({ status, shop, alerts, counts, truncated, channels, canAct, outcome }: AlertsPageProps) {
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
    <Page title="Alerts" subtitle={shop ? `Shop ${shop}` : "All shops"}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <ActionOutcomeBanner outcome={outcome} />
            <ButtonGroup variant="segmented">
              {TABS.map((tab) => (
                <Button key={tab.status} url={tabUrl(tab.status, shop)} pressed={tab.status === status}>
                  {`${tab.label} (${counts[tab.status]})`}
                </Button>
              ))}
            </ButtonGroup>
            <Card padding="0">
              {alerts.length === 0 ? (
                <div style={{ padding: "1rem" }}>
                  <Text as="p" tone="subdued">
                    No {status.toLowerCase()} alerts.
                  </Text>
                </div>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "numeric", "text", "text", "text", "text"]}
                  headings={["Alert", "Shop", "Job type", "Occurrences", "First seen", "Last seen", "Notified", ""]}
                  rows={rows}
                />
              )}
            </Card>
            {truncated && (
              <Text as="p" tone="subdued">
                Showing the 200 most recent; filter by shop to see others.
              </Text>
            )}
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
