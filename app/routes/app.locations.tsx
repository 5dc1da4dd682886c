import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { z } from "zod";
import { MarketplaceLocationsPage } from "~/components/MarketplaceLocationsPage";
import { changeMarketplaceLocations, loadMarketplaceLocations } from "~/inventory/change-marketplace-locations.server";
import { answerRefusals } from "~/lib/domain-error-response.server";
import { DomainError } from "~/lib/domain-error";
import type { ActionOutcome } from "~/lib/form-input.server";
import { parseOr400 } from "~/lib/form-input.server";
import { BODY_LIMITS, readFormWithin } from "~/lib/request-body.server";
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
    if (!(error instanceof DomainError)) throw error;
    return { view: null, error: error.message };
  }
}

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const form = parseOr400(assignForm, await readFormWithin(request, BODY_LIMITS.appForm));
  const admin = createAdminClient({ shop: session.shop, accessToken: session.accessToken ?? "" });
  return answerRefusals(
    async () =>
      data<ActionOutcome>({
        ok: true,
        message: await changeMarketplaceLocations({ shop: session.shop, locationIds: form.locationIds, admin }),
      }),
    (refusal, init) => data<ActionOutcome>(refusal, init),
  );
}

export default function MarketplaceLocationsRoute() {
  const { view, error } = useLoaderData<typeof loader>();
  // Typed by hand, as on the products page (no single-fetch `Future` types declared).
  const outcome = useActionData<ActionOutcome>();
  const submit = useSubmit();
  const navigation = useNavigation();
  return (
    <MarketplaceLocationsPage
      view={view}
      error={error}
      outcome={outcome}
      busy={navigation.state !== "idle"}
      onSave={(locationIds) => submit({ intent: "assign", locationIds: locationIds.join(",") }, { method: "post" })}
    />
  );
}
