import { Badge, BlockStack, Box, Card, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import type { Serialized } from "~/lib/serialized";
import type { SyncEventDetail } from "~/monitoring/get-sync-event.server";
import { formatDuration, sentenceCase, formatUtc, statusTone } from "./format";

export interface SyncEventDetailProps {
  event: Serialized<SyncEventDetail>;
  backUrl: string;
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <BlockStack gap="100">
      <Text as="dt" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <Text as="dd">{children}</Text>
    </BlockStack>
  );
}

export function SyncEventDetailPage({ event, backUrl }: SyncEventDetailProps) {
  return (
    <Page
      title={`Event ${event.id}`}
      titleMetadata={<Badge tone={statusTone(event.status)}>{sentenceCase(event.status)}</Badge>}
      subtitle={`${sentenceCase(event.eventType)} · ${event.shop}`}
      backAction={{ content: "Sync monitor", url: backUrl }}
    >
      <Layout>
        <Layout.Section>
          <Card>
            <dl>
              <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
                <Field label="Time">{formatUtc(event.createdAt)}</Field>
                <Field label="Merchant">{event.shop}</Field>
                <Field label="Merchant id">{event.merchantId ?? "–"}</Field>
                <Field label="Type">{sentenceCase(event.eventType)}</Field>
                <Field label="Items">{event.itemCount === null ? "–" : event.itemCount.toLocaleString("en")}</Field>
                <Field label="Duration">{formatDuration(event.processingTimeMs)}</Field>
              </InlineGrid>
            </dl>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingSm">
                Error
              </Text>
              <Text as="p" tone={event.errorMessage ? "critical" : "subdued"}>
                <span data-testid="event-error" style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }}>
                  {event.errorMessage ?? "No error recorded."}
                </span>
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingSm">
                Metadata
              </Text>
              {event.metadataJson ? (
                <Box background="bg-surface-secondary" padding="300" borderRadius="200" overflowX="scroll">
                  <pre data-testid="event-metadata" style={{ margin: 0, fontSize: 13 }}>
                    {event.metadataJson}
                  </pre>
                </Box>
              ) : (
                <Text as="p" tone="subdued">
                  No metadata.
                </Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
