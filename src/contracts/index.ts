export * from "./ids.ts";
export * from "./money.ts";
export * from "./errors.ts";
export * from "./events.ts";
export * from "./alerts.ts";
export * from "./labels.ts";
