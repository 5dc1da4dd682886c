import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSearchParams, useSubmit } from "@remix-run/react";
import { useAppBridge } from "@shopify/app-bridge-react";
import { Banner, Layout, Page } from "@shopify/polaris";
import {
  ProductSelectionTable,
  type SelectionIntent,
  type SelectionTableFilter,
} from "~/components/ProductSelectionTable";
import { answerRefusals } from "~/lib/domain-error-response.server";
import { loadSelectionPage } from "~/merchants/product-selection-page.server";
import { applySelectionRequest, selectionPageQuery, selectionRequest } from "~/merchants/selection-request.server";
import { createAdminClient } from "~/shopify-admin/admin-client.server";
import { authenticate } from "~/shopify.server";
import { BODY_LIMITS, readFormWithin } from "~/lib/request-body.server";

// The merchant chooses which of their products the marketplace lists. The shop is always the session's.

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const { page, ...filter } = selectionPageQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return { ...(await loadSelectionPage({ shop: session.shop, filter, page })), filter };
}

type SelectionResult = { ok: true; message: string } | { ok: false; error: string };

export async function action({ request }: ActionFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const parsed = selectionRequest.safeParse(Object.fromEntries(await readFormWithin(request, BODY_LIMITS.appForm)));
  if (!parsed.success) {
    const error = parsed.error.issues.map((i) => `${i.path.join(".") || "request"}: ${i.message}`).join("; ");
    return data<SelectionResult>({ ok: false, error }, { status: 400 });
  }
  const admin = createAdminClient({ shop: session.shop, accessToken: session.accessToken ?? "" });
  return answerRefusals(
    async () =>
      data<SelectionResult>({
        ok: true,
        message: await applySelectionRequest({ shop: session.shop, request: parsed.data, admin }),
      }),
    (refusal, init) => data<SelectionResult>(refusal, init),
  );
}

export default function ProductSelectionPage() {
  const view = useLoaderData<typeof loader>();
  // Typed by hand: the project does not declare Remix's single-fetch `Future` types, without which `typeof action`
  // would describe data() wrappers rather than the data.
  const result = useActionData<SelectionResult>();
  const submit = useSubmit();
  const navigation = useNavigation();
  const [, setSearchParams] = useSearchParams();
  const shopify = useAppBridge();

  const onFilterChange = (filter: SelectionTableFilter) =>
    setSearchParams(
      Object.fromEntries(Object.entries(filter).filter((entry): entry is [string, string] => !!entry[1])),
    );
  const onPageChange = (page: number) =>
    setSearchParams((params) => {
      params.set("page", String(page));
      return params;
    });
  const onIntent = (intent: SelectionIntent) => {
    const form: Record<string, string> = { intent: intent.intent };
    if ("ids" in intent) form.ids = intent.ids.join(",");
    if ("filter" in intent)
      Object.assign(form, Object.fromEntries(Object.entries(intent.filter).filter(([, v]) => !!v)));
    if ("mode" in intent) form.mode = intent.mode;
    submit(form, { method: "post" });
  };
  // Products not synced yet are chosen in Shopify's own product picker (App Bridge); the server checks they are
  // this shop's and starts a sync for them.
  const addFromShopify = async () => {
    const picked = await shopify.resourcePicker({ type: "product", multiple: true });
    if (picked && picked.length > 0) onIntent({ intent: "select", ids: picked.map((p) => p.id) });
  };

  return (
    <Page
      title="Products on the marketplace"
      backAction={{ url: "/app" }}
      primaryAction={{ content: "Add products from Shopify", onAction: addFromShopify, disabled: view.mode === "ALL" }}
    >
      <Layout>
        {result ? (
          <Layout.Section>
            <Banner tone={result.ok ? "success" : "critical"}>{result.ok ? result.message : result.error}</Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <ProductSelectionTable
            {...view}
            busy={navigation.state !== "idle"}
            onFilterChange={onFilterChange}
            onPageChange={onPageChange}
            onIntent={onIntent}
          />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
