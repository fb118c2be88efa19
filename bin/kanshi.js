#!/usr/bin/env node
// Entry point for `npx kanshi` and `npm start`: loads the TypeScript sources through tsx.
import { register } from "tsx/esm/api";

register();
const { run } = await import("../src/cli/main.ts");
await run(process.argv.slice(2));
