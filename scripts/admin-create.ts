// `npm run admin:create -- <email> [--role operator|viewer] [--password-stdin]`: creates a platform admin account
// for /admin, or resets the password and role of an existing one. Without --password-stdin a strong password is
// generated and printed once (it is stored only as a scrypt hash). With it, the password is read from standard
// input (`printf '%s' "$PASSWORD" | npm run admin:create -- a@b.c --password-stdin`), so it never appears in the
// process list or the shell history.
import { AdminAccountError, createOrResetAdminAccount } from "../app/admin-auth/admin-accounts.server";
import type { AdminRole } from "../app/admin-auth/admin-role";
import { generateStrongPassword } from "../app/admin-auth/generate-password.server";
import { disconnectDatabase } from "../app/db.server";
import { prepareDatabase } from "./lib/lifecycle";

const USAGE = "Usage: npm run admin:create -- <email> [--role operator|viewer] [--password-stdin]";

function parseArguments(args: string[]): { email: string; role: AdminRole; passwordFromStdin: boolean } {
  let email: string | undefined;
  let role: AdminRole = "VIEWER";
  let passwordFromStdin = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--password-stdin") passwordFromStdin = true;
    else if (arg === "--role" || arg.startsWith("--role=")) {
      const value = (arg === "--role" ? args[++i] : arg.slice("--role=".length))?.toLowerCase();
      if (value !== "operator" && value !== "viewer")
        throw new AdminAccountError(`--role must be operator or viewer\n${USAGE}`);
      role = value === "operator" ? "OPERATOR" : "VIEWER";
    } else if (arg.startsWith("-")) throw new AdminAccountError(`Unknown option ${arg}\n${USAGE}`);
    else if (email === undefined) email = arg;
    else throw new AdminAccountError(`Unexpected argument ${arg}\n${USAGE}`);
  }
  if (!email) throw new AdminAccountError(USAGE);
  return { email, role, passwordFromStdin };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline is the shell's (echo), not the password's.
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

async function main() {
  const { email, role, passwordFromStdin } = parseArguments(process.argv.slice(2));
  const password = passwordFromStdin ? await readStdin() : generateStrongPassword();
  const database = await prepareDatabase();
  try {
    const account = await createOrResetAdminAccount({ email, role, password });
    console.log(
      `${account.created ? "Created" : "Updated"} platform admin ${account.email} (${account.role.toLowerCase()}).`,
    );
    if (!passwordFromStdin) {
      console.log(`Password (shown only now): ${password}`);
    }
    console.log("Sign in at /admin/login.");
  } finally {
    await disconnectDatabase();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  if (error instanceof AdminAccountError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
