import { Banner } from "@shopify/polaris";

export type ActionOutcomeView = { ok: true; message: string } | { ok: false; error: string };

/** What the last action on an admin page did, or why it was refused. */
export function ActionOutcomeBanner({ outcome }: { outcome: ActionOutcomeView | undefined }) {
  if (!outcome) return null;
  return outcome.ok ? (
    <Banner tone="success">
      <span data-testid="action-outcome">{outcome.message}</span>
    </Banner>
  ) : (
    <Banner tone="critical">
      <span data-testid="action-outcome">{outcome.error}</span>
    </Banner>
  );
}

export { formatWhen } from "~/components/sync-monitor/format";
