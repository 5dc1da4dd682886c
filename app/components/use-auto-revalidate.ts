import { useRevalidator } from "@remix-run/react";
import { useEffect } from "react";

/**
 * Reloads the page's loader data every `intervalMs` while the tab is visible, and at once when it becomes visible
 * again (a hidden tab costs the server nothing). A revalidation already under way is not doubled.
 */
export function useAutoRevalidate(intervalMs: number) {
  const revalidator = useRevalidator();
  const { revalidate, state } = revalidator;
  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const start = () => {
      clearInterval(timer);
      timer = setInterval(() => {
        if (document.visibilityState === "visible") revalidate();
      }, intervalMs);
    };
    const onVisibility = () => {
      if (document.visibilityState === "visible") {
        revalidate();
        start();
      } else clearInterval(timer);
    };
    start();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [intervalMs, revalidate]);
  return state === "loading";
}
