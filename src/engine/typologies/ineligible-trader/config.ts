// Ineligible-trader parameters: the home jurisdiction, how many foreign-looking logins in how long
// make a resident's access implausible, and which browser languages a nationality explains. Change
// them here (or per deployment through `configs["ineligible-trader"]`) and the configVersion on every
// alert changes.
import { z } from "zod";

const country = z.string().regex(/^[A-Z]{2}$/, "expected an ISO 3166 alpha-2 code such as JP");
const language = z.string().regex(/^[a-z]{2,3}$/, "expected a primary language subtag such as ja or zh");

export const ineligibleTraderConfigSchema = z.strictObject({
  /** The exchanges' jurisdiction: residents are expected to log in from here. */
  homeCountry: country,
  /** Foreign-access logins (from abroad, or with a browser language the nationality does not explain)... */
  minForeignLogins: z.number().int("must be a whole number").min(1, "at least 1").max(1000, "at most 1000"),
  /** ...within this many days (inclusive) raise an alert. Also how long an eligibility alert stays quiet. */
  windowDays: z.number().positive("must be a positive number of days").max(366, "at most 366 days"),
  /** Browser languages never foreign for anyone (the home language). */
  alwaysPlausibleLanguages: z.array(language).max(50),
  /** Per nationality: the languages it explains (besides a language tagged with that very region). */
  languagesByNationality: z.record(country, z.array(language).max(20)),
});

export type IneligibleTraderConfig = z.output<typeof ineligibleTraderConfigSchema>;

export const ineligibleTraderDefaults: IneligibleTraderConfig = {
  homeCountry: "JP",
  minForeignLogins: 5,
  windowDays: 30,
  alwaysPlausibleLanguages: ["ja"],
  // The nationalities most common among residents of Japan (Immigration Services Agency statistics)
  // and the browser languages they plausibly use. A Japanese national has only Japanese.
  languagesByNationality: {
    JP: [],
    CN: ["zh"], TW: ["zh"], HK: ["zh", "en"], MO: ["zh", "pt"],
    KR: ["ko"], KP: ["ko"],
    VN: ["vi"], PH: ["en", "fil", "tl"], NP: ["ne"], ID: ["id", "jv"], MM: ["my"], TH: ["th"], LK: ["si", "ta"],
    BD: ["bn"], IN: ["hi", "en"], PK: ["ur", "en"], KH: ["km"], MN: ["mn"], MY: ["ms", "en", "zh"], SG: ["en", "zh", "ms", "ta"],
    UZ: ["uz", "ru"], BR: ["pt"], PE: ["es"], US: ["en"], GB: ["en"], CA: ["en", "fr"], AU: ["en"], NZ: ["en"],
    FR: ["fr"], DE: ["de"], IT: ["it"], ES: ["es"], RU: ["ru"], UA: ["uk", "ru"],
  },
};
