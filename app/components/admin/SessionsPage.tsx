import { Form } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, DataTable, Layout, Page, Text } from "@shopify/polaris";
import { AdminCsrfInput } from "~/admin-auth/AdminCsrfInput";
import { ActionOutcomeBanner, formatWhen, type ActionOutcomeView } from "./ActionOutcomeBanner";

export interface SessionRowView {
  id: string;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

interface SessionsPageProps {
  email: string;
  currentSessionId: string;
  sessions: SessionRowView[];
  outcome: ActionOutcomeView | undefined;
}

/** The signed-in admin's own sessions (browsers signed in as them), each of which they can end. */
export function SessionsPage({ email, currentSessionId, sessions, outcome }: SessionsPageProps) {
  const rows = sessions.map((session) => [
    <BlockStack gap="100" key="browser">
      <Text as="span">{session.userAgent ?? "Unknown browser"}</Text>
      {session.id === currentSessionId ? <Badge tone="success">This browser</Badge> : null}
    </BlockStack>,
    formatWhen(session.createdAt),
    formatWhen(session.lastSeenAt),
    formatWhen(session.expiresAt),
    <Form method="post" key="end">
      <AdminCsrfInput />
      <input type="hidden" name="intent" value="end" />
      <input type="hidden" name="sessionId" value={session.id} />
      <Button submit variant="plain" tone="critical" accessibilityLabel={`End session ${session.id}`}>
        {session.id === currentSessionId ? "Sign out" : "End"}
      </Button>
    </Form>,
  ]);
  return (
    <Page title="Your sessions" subtitle={`Browsers signed in as ${email}. Ending one signs it out at once.`}>
      <Layout>
        <Layout.Section>
          <ActionOutcomeBanner outcome={outcome} />
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <DataTable
              columnContentTypes={["text", "text", "text", "text", "text"]}
              headings={["Browser", "Signed in", "Last seen", "Expires", ""]}
              rows={rows}
            />
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
