import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, ChoiceList, Layout, Page, Text } from "@shopify/polaris";
import { useEffect, useState } from "react";
import { z } from "zod";
import { changeMarketplaceLocations, loadMarketplaceLocations } from "~/inventory/change-marketplace-locations.server";
import type { ActionOutcome } from "~/lib/form-input.server";
import { parseOr400 } from "~/lib/form-input.server";
import { BODY_LIMITS, readFormWithin } from "~/lib/request-body.server";
import { httpStatusOf, MerchantError } from "~/merchants/merchant-error";
import { createAdminClient } from "~/shopify-admin/admin-client.server";
import { authenticate } from "~/shopify.server";

// The merchant chooses which of their Shopify locations stock the marketplace (none chosen: the primary location).
// The shop is always the session's; the locations are read from Shopify with the session's own token.

const MAX_LOCATIONS = 250;

const assignForm = z.object({
  intent: z.literal("assign"),
  // Numeric location ids, comma-separated; empty: back to the primary location.
  locationIds: z
    .string()
    .max(MAX_LOCATIONS * 21)
    .regex(/^(\d{1,19}(,\d{1,19})*)?$/, "must be location ids separated by commas")
    .transform((ids) => (ids === "" ? [] : ids.split(",").map((id) => BigInt(id))))
    .refine((ids) => ids.length <= MAX_LOCATIONS, `at most ${MAX_LOCATIONS} locations`),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const admin = createAdminClient({ shop: session.shop, accessToken: session.accessToken ?? "" });
  try {
    return { view: await loadMarketplaceLocations({ shop: session.shop, admin }), error: null };
  } catch (error) {
    if (!(error instanceof MerchantError)) throw error;
    return { view: null, error: error.message };
  }
}

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const form = parseOr400(assignForm, await readFormWithin(request, BODY_LIMITS.appForm));
  const admin = createAdminClient({ shop: session.shop, accessToken: session.accessToken ?? "" });
  try {
    const message = await changeMarketplaceLocations({ shop: session.shop, locationIds: form.locationIds, admin });
    return data<ActionOutcome>({ ok: true, message });
  } catch (error) {
    if (!(error instanceof MerchantError)) throw error;
    return data<ActionOutcome>({ ok: false, error: error.message }, { status: httpStatusOf(error) });
  }
}

export default function MarketplaceLocationsPage() {
  const { view, error } = useLoaderData<typeof loader>();
  // Typed by hand, as on the products page (no single-fetch `Future` types declared).
  const outcome = useActionData<ActionOutcome>();
  const submit = useSubmit();
  const navigation = useNavigation();
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
                  choices={view.locations.map((l) => ({ label: l.primary ? `${l.name} (primary)` : l.name, value: l.id }))}
                  selected={chosen}
                  onChange={setChosen}
                />
                <Text as="p" tone="subdued">
                  <span data-testid="locations-current">
                    {view.followsPrimary ? "Now: your primary location." : `Now: ${view.locations.filter((l) => l.sells).map((l) => l.name).join(", ")}.`}
                  </span>
                </Text>
                <div>
                  <Button
                    variant="primary"
                    loading={navigation.state !== "idle"}
                    onClick={() => submit({ intent: "assign", locationIds: chosen.join(",") }, { method: "post" })}
                  >
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
