import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

// Where the app receives each topic. shopify.app.toml is the app's own declaration, so it wins when present;
// otherwise the Remix template's convention `/webhooks/<topic>` (app/routes/webhooks.app.uninstalled.tsx
// serves /webhooks/app/uninstalled).
export function webhookPathResolver(appRoot = process.cwd()): (topic: string) => string {
  const declared = readDeclaredWebhookPaths(path.join(appRoot, "shopify.app.toml"));
  return (topic) => declared.get(topic) ?? `/webhooks/${topic}`;
}

export function readDeclaredWebhookPaths(tomlPath: string): Map<string, string> {
  const paths = new Map<string, string>();
  if (!existsSync(tomlPath)) return paths;
  const toml = readFileSync(tomlPath, "utf8");
  // Enough TOML for [[webhooks.subscriptions]] blocks: `topics = [ ... ]` and `uri = "..."`.
  for (const block of toml.split(/^\s*\[\[webhooks\.subscriptions\]\]\s*$/m).slice(1)) {
    const body = block.split(/^\s*\[/m)[0];
    const topics = /topics\s*=\s*\[([^\]]*)\]/.exec(body)?.[1];
    const uri = /uri\s*=\s*"([^"]+)"/.exec(body)?.[1];
    if (!topics || !uri || !uri.startsWith("/")) continue;
    for (const match of topics.matchAll(/"([^"]+)"/g)) paths.set(match[1], uri);
  }
  return paths;
}
