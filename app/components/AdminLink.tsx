import { Link } from "@remix-run/react";
import type { AppProviderProps } from "@shopify/polaris";
import type { ComponentProps } from "react";

type LinkLikeComponentProps = ComponentProps<NonNullable<AppProviderProps["linkComponent"]>>;

/**
 * Polaris' link component for the admin area: internal pages through Remix's client-side navigation, files (the
 * CSV export, marked `download`) and other sites as plain anchors.
 */
export function AdminLink({ url, children, external, download, ...rest }: LinkLikeComponentProps) {
  if (external || download || !url.startsWith("/")) {
    return (
      <a href={url} download={download} {...rest}>
        {children}
      </a>
    );
  }
  return (
    <Link to={url} {...rest}>
      {children}
    </Link>
  );
}
