import { createContext, useContext, type ReactNode } from "react";

// The nonce of the page's inline scripts (Remix's hydration data and module loader). The server makes one per admin
// page response and names it in that response's Content-Security-Policy (scripts/serve.ts), so a script injected
// into the page (a stored value rendered unescaped somewhere, say) does not run. Empty in the browser, where the
// scripts have already run, and on pages without a nonce policy.

const ScriptNonce = createContext("");

export function ScriptNonceProvider({ nonce, children }: { nonce: string; children: ReactNode }) {
  return <ScriptNonce.Provider value={nonce}>{children}</ScriptNonce.Provider>;
}

export function useScriptNonce(): string | undefined {
  return useContext(ScriptNonce) || undefined;
}
