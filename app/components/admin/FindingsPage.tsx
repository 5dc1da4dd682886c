import { Form } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, DataTable, InlineStack, Page, Select, Text } from "@shopify/polaris";
import { useState } from "react";
import { AdminCsrfInput } from "~/admin-auth/AdminCsrfInput";
import { ActionOutcomeBanner, formatWhen, type ActionOutcomeView } from "./ActionOutcomeBanner";

export interface FindingRowView {
  id: string;
  shop: string;
  check: string;
  entityType: string;
  entityId: string | null;
  outcome: "FIXED" | "FLAGGED" | "WOULD_FIX";
  message: string | null;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

interface FindingsPageProps {
  findings: FindingRowView[];
  truncated: boolean;
  checks: string[];
  shops: string[];
  query: { shop?: string; check?: string; resolution: "unresolved" | "resolved" | "all" };
  canAct: boolean;
  outcome: ActionOutcomeView | undefined;
}

const OUTCOME_TONE = { FLAGGED: "critical", FIXED: "success", WOULD_FIX: "info" } as const;

/** The filters are a plain GET form, so the URL carries them (shareable, and the back button works). */
export function FindingsPage({ findings, truncated, checks, shops, query, canAct, outcome }: FindingsPageProps) {
  const [shop, setShop] = useState(query.shop ?? "");
  const [check, setCheck] = useState(query.check ?? "");
  const [resolution, setResolution] = useState<string>(query.resolution);
  const rows = findings.map((f) => [
    <Badge key="outcome" tone={OUTCOME_TONE[f.outcome]}>
      {f.outcome}
    </Badge>,
    f.shop,
    f.check,
    `${f.entityType}${f.entityId ? ` ${f.entityId}` : ""}`,
    <Text key="message" as="span" breakWord>
      {f.message ?? ""}
    </Text>,
    formatWhen(f.createdAt),
    f.resolvedAt ? `${formatWhen(f.resolvedAt)}${f.resolvedBy ? ` by ${f.resolvedBy}` : ""}` : "",
    canAct && !f.resolvedAt ? (
      <Form method="post" key="resolve">
        <AdminCsrfInput />
        <input type="hidden" name="intent" value="resolve" />
        <input type="hidden" name="findingId" value={f.id} />
        <Button submit size="slim" accessibilityLabel={`Resolve finding ${f.id}`}>
          Resolve
        </Button>
      </Form>
    ) : (
      ""
    ),
  ]);
  return (
    <Page title="Integrity findings">
      <BlockStack gap="400">
        <ActionOutcomeBanner outcome={outcome} />
        <Card>
          <Form method="get">
            <InlineStack gap="300" blockAlign="end">
              <Select label="Shop" name="shop" options={[{ label: "All shops", value: "" }, ...shops]} value={shop} onChange={setShop} />
              <Select label="Check" name="check" options={[{ label: "All checks", value: "" }, ...checks]} value={check} onChange={setCheck} />
              <Select
                label="Resolution"
                name="resolution"
                options={[
                  { label: "Unresolved", value: "unresolved" },
                  { label: "Resolved", value: "resolved" },
                  { label: "All", value: "all" },
                ]}
                value={resolution}
                onChange={setResolution}
              />
              <Button submit>Filter</Button>
            </InlineStack>
          </Form>
        </Card>
        <Card padding="0">
          {findings.length === 0 ? (
            <div style={{ padding: "1rem" }}>
              <Text as="p" tone="subdued">
                No findings match.
              </Text>
            </div>
          ) : (
            <DataTable
              columnContentTypes={["text", "text", "text", "text", "text", "text", "text", "text"]}
              headings={["Outcome", "Shop", "Check", "Entity", "Message", "Found", "Resolved", ""]}
              rows={rows}
            />
          )}
        </Card>
        {truncated && (
          <Text as="p" tone="subdued">
            Showing the first 200; filter by shop or check to see others.
          </Text>
        )}
      </BlockStack>
    </Page>
  );
}
