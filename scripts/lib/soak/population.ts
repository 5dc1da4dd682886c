import type { PlanName, RunningEmulator } from "../../../emulator";
import type { Random } from "./options";

// The soak's shops, as a marketplace has them: two or three locations each, catalogs from a few hundred to tens of
// thousands of variants, and one shop on each of Shopify's rate-limit plans (emulator/plans.ts), the rest on the
// common ones. Some sell every location's stock, most only the primary location's (docs/decisions/008).

export interface SoakShop {
  domain: string;
  name: string;
  plan: PlanName;
  /** Numeric Shopify ids, the primary first. */
  locationIds: number[];
  /** The locations the marketplace sells from (numeric ids). */
  marketplaceLocationIds: number[];
  /** Assigned explicitly (all locations); false: the primary, the default. */
  sellsEveryLocation: boolean;
  variants: number;
  products: number;
}

const EVERY_PLAN: PlanName[] = ["STANDARD", "ADVANCED", "PLUS", "ENTERPRISE"];

export function createPopulation(
  emulator: RunningEmulator,
  options: { shops: number; minVariants: number; maxVariants: number; seed: number },
  random: Random,
): SoakShop[] {
  const shops: SoakShop[] = [];
  for (let i = 0; i < options.shops; i++) {
    const plan = i < EVERY_PLAN.length ? EVERY_PLAN[i] : random.pick<PlanName>(["STANDARD", "STANDARD", "ADVANCED"]);
    const domain = `soak-${String(i + 1).padStart(2, "0")}.myshopify.com`;
    const locations = random.int(2, 3);
    const summary = emulator.control.createShop({ domain, name: `Soak shop ${i + 1}`, plan, locations });
    // Log-uniform between the bounds: most catalogs small, a few large.
    const target = Math.round(
      Math.exp(
        Math.log(options.minVariants) + random.next() * (Math.log(options.maxVariants) - Math.log(options.minVariants)),
      ),
    );
    const variantsPerProduct = random.int(1, 4);
    const products = Math.max(1, Math.ceil(target / variantsPerProduct));
    emulator.control.seedProducts({
      shop: domain,
      products,
      variantsPerProduct,
      seed: options.seed * 1000 + i,
      inventory: { min: 0, max: 40 },
      partialStocking: i % 2 === 1,
    });
    const locationIds = summary.locations.map((l) => l.legacyResourceId);
    const sellsEveryLocation = i % 3 === 2;
    shops.push({
      domain,
      name: summary.name,
      plan,
      locationIds,
      marketplaceLocationIds: sellsEveryLocation ? locationIds : [locationIds[0]],
      sellsEveryLocation,
      variants: products * variantsPerProduct,
      products,
    });
  }
  return shops;
}
