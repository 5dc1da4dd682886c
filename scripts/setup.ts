// `npm run setup`: applies pending migrations to DATABASE_URL or the embedded database; a no-op when up to date.
import { prepareDatabase } from "./lib/lifecycle";

const database = await prepareDatabase();
console.log(`[setup] database is up to date (${database.owned ? "embedded" : "DATABASE_URL"})`);
await database.stop();
