import { Form } from "@remix-run/react";
import { Button, InlineStack, Select, TextField } from "@shopify/polaris";
import { useState } from "react";
import { EVENT_STATUSES, EVENT_TYPES, type SyncMonitorQuery } from "~/monitoring/sync-monitor-query";
import { sentenceCase } from "./format";

interface SyncMonitorFiltersProps {
  query: SyncMonitorQuery;
  shops: Array<{ shop: string; name: string }>;
}

/**
 * A GET form: applying filters navigates to a URL that holds them (shareable, and the back button returns to the
 * previous filters). Sort and page size are carried along; the page cursor is not (new filters start at page 1).
 */
export function SyncMonitorFilters({ query, shops }: SyncMonitorFiltersProps) {
  const [shop, setShop] = useState(query.shop ?? "all");
  const [eventType, setEventType] = useState<string>(query.eventType ?? "all");
  const [status, setStatus] = useState<string>(query.status ?? "all");
  const [from, setFrom] = useState(query.fromDay);
  const [to, setTo] = useState(query.toDay);
  return (
    <Form method="get" aria-label="Filters">
      <InlineStack gap="300" blockAlign="end" wrap>
        <Select
          label="Merchant"
          name="shop"
          value={shop}
          onChange={setShop}
          options={[{ label: "All merchants", value: "all" }, ...shops.map((s) => ({ label: s.name, value: s.shop }))]}
        />
        <Select
          label="Event type"
          name="type"
          value={eventType}
          onChange={setEventType}
          options={[
            { label: "All types", value: "all" },
            ...EVENT_TYPES.map((t) => ({ label: sentenceCase(t), value: t })),
          ]}
        />
        <Select
          label="Status"
          name="status"
          value={status}
          onChange={setStatus}
          options={[
            { label: "All statuses", value: "all" },
            ...EVENT_STATUSES.map((s) => ({ label: sentenceCase(s), value: s })),
          ]}
        />
        <TextField label="From (UTC)" name="from" type="date" value={from} onChange={setFrom} autoComplete="off" />
        <TextField label="To (UTC)" name="to" type="date" value={to} onChange={setTo} autoComplete="off" />
        {query.sort !== "created_at" ? <input type="hidden" name="sort" value={query.sort} /> : null}
        {query.direction !== "desc" ? <input type="hidden" name="direction" value={query.direction} /> : null}
        <Button submit variant="primary">
          Apply
        </Button>
        <Button url="/admin/sync-monitor">Reset</Button>
      </InlineStack>
    </Form>
  );
}
