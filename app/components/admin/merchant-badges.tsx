import { Badge } from "@shopify/polaris";

export type ApprovalStatusName = "PENDING" | "APPROVED" | "REJECTED" | "SUSPENDED";

const APPROVAL_TONE = {
  PENDING: "attention",
  APPROVED: "success",
  REJECTED: "critical",
  SUSPENDED: "warning",
} as const;

export function ApprovalBadge({ status }: { status: ApprovalStatusName }) {
  return <Badge tone={APPROVAL_TONE[status]}>{status.toLowerCase()}</Badge>;
}

export function ConnectionBadges({ active, syncPaused }: { active: boolean; syncPaused: boolean }) {
  return (
    <>
      {active ? <Badge tone="success">connected</Badge> : <Badge tone="critical">uninstalled</Badge>}
      {syncPaused && <Badge tone="attention">paused</Badge>}
    </>
  );
}
