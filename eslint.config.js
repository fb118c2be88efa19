// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", ".kanshi/", ".scratch/", "dist/", "web/dist/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", setImmediate: "readonly", performance: "readonly", TextEncoder: "readonly", TextDecoder: "readonly", structuredClone: "readonly", AbortController: "readonly", fetch: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-imports": "off",
    },
  },
  {
    // The engine and identity rooms are pure: no I/O.
    files: ["src/engine/**/*.ts", "src/identity/**/*.ts", "src/contracts/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [
        { group: ["node:fs", "node:fs/*", "fs", "node:net", "node:http", "node:child_process", "pg", "@electric-sql/*", "fastify"], message: "engine, identity and contracts are pure: no I/O" },
        { group: ["**/store/**", "**/server/**", "**/cli/**", "**/bus/**"], message: "arrows point one way: pure rooms do not import adapters or edges" },
      ] }],
    },
  },
);
