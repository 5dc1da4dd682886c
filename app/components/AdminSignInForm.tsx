import { Form } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, FormLayout, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";

interface AdminSignInFormProps {
  redirectTo: string;
  error?: string;
  submitting: boolean;
}

export function AdminSignInForm({ redirectTo, error, submitting }: AdminSignInFormProps) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  return (
    <Page narrowWidth>
      <Box paddingBlockStart="1600">
        <Card>
          <Form method="post">
            <BlockStack gap="400">
              <Text as="h1" variant="headingLg">
                Marketplace Sync admin
              </Text>
              {error ? <Banner tone="critical">{error}</Banner> : null}
              <input type="hidden" name="redirectTo" value={redirectTo} />
              <FormLayout>
                <TextField
                  label="Email"
                  name="email"
                  type="email"
                  autoComplete="username"
                  value={email}
                  onChange={setEmail}
                />
                <TextField
                  label="Password"
                  name="password"
                  type="password"
                  autoComplete="current-password"
                  value={password}
                  onChange={setPassword}
                />
                <Button submit variant="primary" loading={submitting}>
                  Sign in
                </Button>
              </FormLayout>
            </BlockStack>
          </Form>
        </Card>
      </Box>
    </Page>
  );
}
