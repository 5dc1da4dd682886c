import { Form } from "@remix-run/react";
import { Badge, BlockStack, Button, ButtonGroup, Card, DataTable, InlineStack, Page, Text } from "@shopify/polaris";
import { AdminCsrfInput } from "~/admin-auth/AdminCsrfInput";
import { KeysetPagination } from "~/components/KeysetPagination";
import { writeCursor, type KeysetCursor } from "~/lib/keyset-cursor";
import type { Serialized } from "~/lib/serialized";
import type { SyncEventRow } from "~/monitoring/list-sync-events.server";
import { formatDuration, sentenceCase, statusTone } from "~/components/sync-monitor/format";
import { EmptyTableMessage } from "./EmptyTableMessage";
import { WrappingText } from "~/components/WrappingText";
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
  lockedAt: string | null;
  lockedBy: string | null;
  lastError: string | null;
}

export interface ScheduleRowView {
  identifier: string;
  task: string;
  cron: string;
  words: string;
  backfill: string;
  lastFiredAt: string | null;
  nextFireAt: string | null;
}

export type RecentRunView = Serialized<SyncEventRow>;

interface JobsPageProps {
  jobs: JobRowView[];
  next: KeysetCursor | null;
  previous: KeysetCursor | null;
  counts: Array<{ task: string; pending: number; running: number; failed: number }>;
  schedules: ScheduleRowView[];
  recentRuns: RecentRunView[];
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

function JobAction({
  jobId,
  intent,
  label,
  destructive,
}: {
  jobId: string;
  intent: string;
  label: string;
  destructive?: boolean;
}) {
  return (
    <Form method="post">
      <AdminCsrfInput />
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="jobId" value={jobId} />
      <Button
        submit
        size="slim"
        tone={destructive ? "critical" : undefined}
        accessibilityLabel={`${label} job ${jobId}`}
      >
        {label}
      </Button>
    </Form>
  );
}

/** When, for the job's state: a running job's start, a queued job's (or retry's) run time; a failed job has none. */
function jobWhen(job: JobRowView): string {
  if (job.state === "running") return `started ${formatWhen(job.lockedAt)}`;
  if (job.state === "failed") return "gave up (no next attempt)";
  return `${job.attempt > 1 ? "next attempt" : "runs"} ${formatWhen(job.runAt)}`;
}

function SchedulesCard({ schedules }: { schedules: ScheduleRowView[] }) {
  return (
    <Card padding="0">
      <div data-testid="schedules">
        <DataTable
          columnContentTypes={["text", "text", "text", "text", "text", "text"]}
          headings={["Schedule", "When", "Task", "Last fired", "Next", "Backfill window"]}
          rows={schedules.map((s) => [
            s.identifier,
            <span key="words" title={s.cron}>
              {s.words}
            </span>,
            s.task,
            formatWhen(s.lastFiredAt),
            formatWhen(s.nextFireAt),
            s.backfill,
          ])}
        />
      </div>
    </Card>
  );
}

function RecentRunsCard({ runs }: { runs: RecentRunView[] }) {
  return (
    <Card padding="0">
      <div data-testid="recent-runs">
        {runs.length === 0 ? (
          <EmptyTableMessage>No finished runs recorded yet.</EmptyTableMessage>
        ) : (
          <DataTable
            columnContentTypes={["text", "text", "text", "text", "numeric", "numeric", "text"]}
            headings={["Finished", "Run", "Shop", "Status", "Items", "Duration", "Error"]}
            rows={runs.map((r) => [
              formatWhen(r.createdAt),
              sentenceCase(r.eventType),
              r.shop,
              <Badge key="status" tone={statusTone(r.status)}>
                {sentenceCase(r.status)}
              </Badge>,
              r.itemCount ?? "–",
              formatDuration(r.processingTimeMs),
              <WrappingText key="error">{r.errorMessage ?? ""}</WrappingText>,
            ])}
          />
        )}
      </div>
    </Card>
  );
}

export function JobsPage({
  jobs,
  next,
  previous,
  counts,
  schedules,
  recentRuns,
  query,
  canAct,
  outcome,
}: JobsPageProps) {
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
    jobWhen(job),
    <WrappingText key="error">{job.lastError ?? ""}</WrappingText>,
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
    <Page fullWidth title="Jobs" subtitle={[query.task, query.shop].filter(Boolean).join(" · ") || "All tasks"}>
      <BlockStack gap="400">
        <ActionOutcomeBanner outcome={outcome} />
        <Text as="h2" variant="headingMd">
          Schedules
        </Text>
        <SchedulesCard schedules={schedules} />
        <Text as="h2" variant="headingMd">
          Jobs
        </Text>
        <Card padding="0">
          <DataTable
            columnContentTypes={["text", "numeric", "numeric", "numeric"]}
            headings={["Task", "Pending", "Running", "Failed"]}
            rows={countRows}
          />
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
          <div data-testid="jobs-table">
            {jobs.length === 0 ? (
              <EmptyTableMessage>No jobs match.</EmptyTableMessage>
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "text", "text", "text", "text", "text", "text"]}
                headings={["Job", "Task", "Shop", "State", "Attempt", "When", "Last error", ""]}
                rows={jobRows}
              />
            )}
          </div>
          <KeysetPagination previous={previous} next={next} href={(cursor) => jobsUrl(query, cursor)} />
        </Card>
        <Text as="h2" variant="headingMd">
          Recent finished runs
        </Text>
        <RecentRunsCard runs={recentRuns} />
      </BlockStack>
    </Page>
  );
}
