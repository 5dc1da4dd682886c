import { Form } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, DataTable, InlineStack, Page, Select } from "@shopify/polaris";
import { useState } from "react";
import { AdminCsrfInput } from "~/admin-auth/AdminCsrfInput";
import { KeysetPagination } from "~/components/KeysetPagination";
import { writeCursor, type KeysetCursor } from "~/lib/keyset-cursor";
import { EmptyTableMessage } from "./EmptyTableMessage";
import { sentenceCase } from "~/components/sync-monitor/format";
import { WrappingText } from "~/components/WrappingText";
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

type FindingsFilters = { shop?: string; check?: string; resolution: "unresolved" | "resolved" | "all" };

interface FindingsPageProps {
  findings: FindingRowView[];
  next: KeysetCursor | null;
  previous: KeysetCursor | null;
  checks: string[];
  shops: string[];
  query: FindingsFilters;
  canAct: boolean;
  outcome: ActionOutcomeView | undefined;
}

const OUTCOME_TONE = { FLAGGED: "critical", FIXED: "success", WOULD_FIX: "info" } as const;

/** A page of findings under these filters (exported: the tests walk the pages through these links). */
export function findingsUrl(filters: FindingsFilters, cursor: KeysetCursor | null = null): string {
  const params = new URLSearchParams();
  if (filters.shop) params.set("shop", filters.shop);
  if (filters.check) params.set("check", filters.check);
  params.set("resolution", filters.resolution);
  return `/admin/findings?${writeCursor(params, cursor)}`;
}

/**
 * The filters are a plain GET form, so the URL carries them (shareable, and the back button works); it has no
 * cursor field, so new filters start at the first page.
 */
export function FindingsPage({ findings, next, previous, checks, shops, query, canAct, outcome }: FindingsPageProps) {
  const [shop, setShop] = useState(query.shop ?? "");
  const [check, setCheck] = useState(query.check ?? "");
  const [resolution, setResolution] = useState<string>(query.resolution);
  const rows = findings.map((f) => [
    <Badge key="outcome" tone={OUTCOME_TONE[f.outcome]}>
      {sentenceCase(f.outcome)}
    </Badge>,
    f.shop,
    f.check,
    `${f.entityType}${f.entityId ? ` ${f.entityId}` : ""}`,
    <WrappingText key="message">{f.message ?? ""}</WrappingText>,
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
    <Page fullWidth title="Integrity findings">
      <BlockStack gap="400">
        <ActionOutcomeBanner outcome={outcome} />
        <Card>
          <Form method="get">
            <InlineStack gap="300" blockAlign="end">
              <Select
                label="Shop"
                name="shop"
                options={[{ label: "All shops", value: "" }, ...shops]}
                value={shop}
                onChange={setShop}
              />
              <Select
                label="Check"
                name="check"
                options={[{ label: "All checks", value: "" }, ...checks]}
                value={check}
                onChange={setCheck}
              />
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
            <EmptyTableMessage>No findings match.</EmptyTableMessage>
          ) : (
            <DataTable
              columnContentTypes={["text", "text", "text", "text", "text", "text", "text", "text"]}
              headings={["Outcome", "Shop", "Check", "Entity", "Message", "Found", "Resolved", ""]}
              rows={rows}
            />
          )}
          <KeysetPagination previous={previous} next={next} href={(cursor) => findingsUrl(query, cursor)} />
        </Card>
      </BlockStack>
    </Page>
  );
}
