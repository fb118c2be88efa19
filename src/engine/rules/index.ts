// Custom rules: CEL expressions over the event and declared window aggregates, run by the engine as
// typologies `rule:<id>`. See README.md.
export {
  checkRule,
  parseRule,
  parseWindow,
  RuleDefinitionSchema,
  RULE_LIMITS,
  RULE_EVENT_TYPES,
  STREAM_NAMES,
  EVENT_FIELDS,
  DISTINCT_FIELDS,
} from "./language.ts";
export type { RuleDefinition, CheckedRule, AggregateDecl, RuleProblem, StreamName, EventField } from "./language.ts";
export { ruleTypology, withRules, RULE_PREFIX } from "./typology.ts";
export { diffAlerts } from "./backtest.ts";
export type { BacktestDiff, BacktestTypologyDiff, BacktestAlertRef } from "./backtest.ts";
