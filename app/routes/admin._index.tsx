import { redirect } from "@remix-run/node";
import { ADMIN_HOME } from "~/admin-auth/safe-redirect";

export const loader = () => redirect(ADMIN_HOME);
