import { Form } from "@remix-run/react";
import { Badge, BlockStack, Button, ButtonGroup, Card, DataTable, InlineStack, Page, Text } from "@shopify/polaris";
import { AdminCsrfInput } from "~/admin-auth/AdminCsrfInput";
import { KeysetPagination } from "~/components/KeysetPagination";
import { writeCursor, type KeysetCursor } from "~/lib/keyset-cursor";
import { EmptyTableMessage } from "./EmptyTableMessage";
import { ActionOutcomeBanner, formatWhen, type ActionOutcomeView } from "./ActionOutcomeBanner";

type JobStateName = "pending" | "running" | "failed";

export interface JobRowView {
  id: string;
  task: string;
  shop: string | null;
  state: JobStateName;
  attempt: number;
  maxAttempts: number;
  runAt: string;
  lockedBy: string | null;
  lastError: string | null;
}

interface JobsPageProps {
  jobs: JobRowView[];
  next: KeysetCursor | null;
  previous: KeysetCursor | null;
  counts: Array<{ task: string; pending: number; running: number; failed: number }>;
  query: { state?: JobStateName; task?: string; shop?: string };
  canAct: boolean;
  outcome: ActionOutcomeView | undefined;
}

const STATE_TONE = { pending: "info", running: "attention", failed: "critical" } as const;

/** A page of jobs under these filters (exported: the tests walk the pages through these links). */
export function jobsUrl(query: JobsPageProps["query"], cursor: KeysetCursor | null = null): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
  const search = writeCursor(params, cursor).toString();
  return search ? `/admin/jobs?${search}` : "/admin/jobs";
}

function JobAction({ jobId, intent, label, destructive }: { jobId: string; intent: string; label: string; destructive?: boolean }) {
  return (
    <Form method="post">
      <AdminCsrfInput />
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="jobId" value={jobId} />
      <Button submit size="slim" tone={destructive ? "critical" : undefined} accessibilityLabel={`${label} job ${jobId}`}>
        {label}
      </Button>
    </Form>
  );
}

export function JobsPage({ jobs, next, previous, counts, query, canAct, outcome }: JobsPageProps) {
  const countRows = counts.map((c) => [
    <Button key="task" variant="plain" url={jobsUrl({ ...query, task: c.task })}>
      {c.task}
    </Button>,
    c.pending,
    c.running,
    c.failed,
  ]);
  const jobRows = jobs.map((job) => [
    `#${job.id}`,
    job.task,
    job.shop ?? "–",
    <Badge key="state" tone={STATE_TONE[job.state]}>
      {job.state}
    </Badge>,
    `${job.attempt} of ${job.maxAttempts}`,
    formatWhen(job.runAt),
    <Text key="error" as="span" variant="bodySm" breakWord>
      {job.lastError ?? ""}
    </Text>,
    canAct && job.state !== "running" ? (
      <InlineStack key="actions" gap="100" wrap={false}>
        <JobAction jobId={job.id} intent="retry" label="Retry now" />
        {job.state === "pending" && <JobAction jobId={job.id} intent="give-up" label="Give up" destructive />}
        {job.state === "failed" && <JobAction jobId={job.id} intent="dismiss" label="Dismiss" destructive />}
      </InlineStack>
    ) : (
      ""
    ),
  ]);

  return (
    <Page title="Jobs" subtitle={[query.task, query.shop].filter(Boolean).join(" · ") || "All tasks"}>
      <BlockStack gap="400">
        <ActionOutcomeBanner outcome={outcome} />
        <Card padding="0">
          <DataTable columnContentTypes={["text", "numeric", "numeric", "numeric"]} headings={["Task", "Pending", "Running", "Failed"]} rows={countRows} />
        </Card>
        <InlineStack gap="200" blockAlign="center">
          <ButtonGroup variant="segmented">
            <Button url={jobsUrl({ ...query, state: undefined })} pressed={!query.state}>
              All
            </Button>
            {(["pending", "running", "failed"] as const).map((state) => (
              <Button key={state} url={jobsUrl({ ...query, state })} pressed={query.state === state}>
                {state.charAt(0).toUpperCase() + state.slice(1)}
              </Button>
            ))}
          </ButtonGroup>
          {(query.task || query.shop) && (
            <Button variant="plain" url={jobsUrl({ state: query.state })}>
              Clear task and shop filters
            </Button>
          )}
        </InlineStack>
        <Card padding="0">
          {jobs.length === 0 ? (
            <EmptyTableMessage>No jobs match.</EmptyTableMessage>
          ) : (
            <DataTable
              columnContentTypes={["text", "text", "text", "text", "text", "text", "text", "text"]}
              headings={["Job", "Task", "Shop", "State", "Attempt", "Runs at", "Last error", ""]}
              rows={jobRows}
            />
          )}
          <KeysetPagination previous={previous} next={next} href={(cursor) => jobsUrl(query, cursor)} />
        </Card>
      </BlockStack>
    </Page>
  );
}
