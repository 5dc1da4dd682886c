// Shared by server and browser code (the layout shows the role; forms hide what a viewer may not do).

export type AdminRole = "VIEWER" | "OPERATOR";

export const ADMIN_ROLES: readonly AdminRole[] = ["VIEWER", "OPERATOR"];

export function canAct(role: AdminRole): boolean {
  return role === "OPERATOR";
}
