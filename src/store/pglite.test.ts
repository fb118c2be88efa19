// The store contract on embedded PGlite (fresh in-memory stores from a migrated template).
import { runStoreContract } from "./contract.ts";
import { createStoreTemplate } from "./testing/template.ts";

const template = await createStoreTemplate();

runStoreContract("PGlite", () => template.open());
