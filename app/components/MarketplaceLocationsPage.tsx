import { Banner, BlockStack, Button, Card, ChoiceList, Layout, Page, Text } from "@shopify/polaris";
import { useEffect, useState } from "react";
import type { MarketplaceLocationsView } from "~/inventory/change-marketplace-locations.server";
import type { ActionOutcome } from "~/lib/form-input.server";

// The merchant's Locations page (app/routes/app.locations.tsx): the shop's locations, the ones whose stock the
// marketplace sells checked (none: the primary location), and a save.

export interface MarketplaceLocationsPageProps {
  view: MarketplaceLocationsView | null;
  /** Why there is no view (the shop is not connected yet). */
  error: string | null;
  outcome: ActionOutcome | undefined;
  busy: boolean;
  onSave: (locationIds: string[]) => void;
}

export function MarketplaceLocationsPage({ view, error, outcome, busy, onSave }: MarketplaceLocationsPageProps) {
  const sellingIds = view ? view.locations.filter((l) => l.sells).map((l) => l.id) : [];
  const [chosen, setChosen] = useState<string[]>(view?.followsPrimary ? [] : sellingIds);
  // After a save the loader's answer is the truth again.
  useEffect(() => setChosen(view?.followsPrimary ? [] : sellingIds), [view]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <Page title="Locations for the marketplace" backAction={{ url: "/app" }}>
      <Layout>
        {outcome ? (
          <Layout.Section>
            <Banner tone={outcome.ok ? "success" : "critical"}>
              <span data-testid="locations-outcome">{outcome.ok ? outcome.message : outcome.error}</span>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            {view ? (
              <BlockStack gap="400">
                <Text as="p">
                  The marketplace sells the stock of the locations you choose here. With none chosen it sells the stock
                  of your primary location.
                </Text>
                <ChoiceList
                  title="Locations whose stock the marketplace sells"
                  allowMultiple
                  choices={view.locations.map((l) => ({
                    label: l.primary ? `${l.name} (primary)` : l.name,
                    value: l.id,
                  }))}
                  selected={chosen}
                  onChange={setChosen}
                />
                <Text as="p" tone="subdued">
                  <span data-testid="locations-current">
                    {view.followsPrimary
                      ? "Now: your primary location."
                      : `Now: ${view.locations
                          .filter((l) => l.sells)
                          .map((l) => l.name)
                          .join(", ")}.`}
                  </span>
                </Text>
                <div>
                  <Button variant="primary" loading={busy} onClick={() => onSave(chosen)}>
                    Save locations
                  </Button>
                </div>
              </BlockStack>
            ) : (
              <Text as="p">{error}</Text>
            )}
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
