import { Form } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, InlineStack, Link, Text } from "@shopify/polaris";
import type { ReactNode } from "react";
import type { AdminRole } from "~/admin-auth/admin-role";
import { CSRF_FIELD } from "~/admin-auth/csrf-field";

export const ADMIN_SECTIONS = [
  { label: "Sync monitor", url: "/admin/sync-monitor" },
  { label: "Alerts", url: "/admin/alerts" },
  { label: "Merchants", url: "/admin/merchants" },
  { label: "Jobs", url: "/admin/jobs" },
  { label: "Findings", url: "/admin/findings" },
] as const;

interface AdminFrameProps {
  email: string;
  role: AdminRole;
  currentPath: string;
  csrfToken: string;
  children: ReactNode;
}

/** The platform admin's top bar (who is signed in, sections, sign out) above the page. */
export function AdminFrame({ email, role, currentPath, csrfToken, children }: AdminFrameProps) {
  return (
    <BlockStack>
      <Box
        background="bg-surface"
        borderBlockEndWidth="025"
        borderColor="border"
        paddingInline="400"
        paddingBlock="200"
      >
        <InlineStack align="space-between" blockAlign="center" gap="400">
          <InlineStack gap="400" blockAlign="center">
            <Text as="span" variant="headingMd">
              Marketplace Sync
            </Text>
            <nav aria-label="Admin sections">
              <InlineStack gap="100">
                {ADMIN_SECTIONS.map((section) => (
                  <Button
                    key={section.url}
                    url={section.url}
                    variant="tertiary"
                    pressed={currentPath === section.url || currentPath.startsWith(`${section.url}/`)}
                  >
                    {section.label}
                  </Button>
                ))}
              </InlineStack>
            </nav>
          </InlineStack>
          <InlineStack gap="200" blockAlign="center">
            <Text as="span" tone="subdued" variant="bodySm">
              <Link url="/admin/sessions" removeUnderline monochrome accessibilityLabel={`Your sessions (${email})`}>
                <span data-testid="admin-email">{email}</span>
              </Link>
            </Text>
            <Badge tone={role === "OPERATOR" ? "info" : undefined}>{role === "OPERATOR" ? "Operator" : "Viewer"}</Badge>
            <Form method="post" action="/admin/logout">
              <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
              <Button submit variant="plain">
                Sign out
              </Button>
            </Form>
          </InlineStack>
        </InlineStack>
      </Box>
      <Box paddingBlockEnd="800">{children}</Box>
    </BlockStack>
  );
}
