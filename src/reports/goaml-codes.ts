// goAML code lists. The enumerations below are copied from the UNODC goAML 5.0.1 report schema
// (shared/data/goaml/goAMLSchema.xsd, published by UNODC for reporting entities): country_type and
// the code types this generator writes. goaml-codes.test.ts checks them against the schema file, so a
// new schema that changes them fails loudly.
//
// What the letter codes MEAN (transmode "A", funds "K", …) is not in the schema: every FIU publishes
// its own lookup tables. So the codes the generator writes are configuration (`GoamlCodes`), checked
// against the schema's enumerations; the defaults are "-", goAML's "unknown / not specified" in every
// list, with the plain-words meaning carried in the matching comment element (transmode_comment,
// funds_comment, item description). A deployment reporting to a goAML FIU sets the FIU's codes.
import { z } from "zod";
import { badInput } from "../contracts/errors.ts";
import { issuePath } from "./input.ts";

/** country_type (without "-", which means unknown). */
export const GOAML_COUNTRIES: ReadonlySet<string> = new Set(
  (
    "AC AD AE AF AG AI AL AM AN AO AP AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BU BV BW BX " +
    "BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CP CR CS CU CV CW CX CY CZ DE DG DJ DK DM DO DZ EA EC EE EF EG EH EM EP ER ES " +
    "ET EU EV FI FJ FK FM FO FR FX GA GB GC GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU IB IC ID IE " +
    "IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KS KW KY KZ LA LB LC LF LI LK LR LS LT LU LV LY MA MC MD ME " +
    "MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NT NU NZ OA OM PA PE PF PG PH PK " +
    "PL PM PN PR PS PT PW PY QA RB RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SU SV SX SY SZ TA TC TD " +
    "TF TG TH TJ TK TL TM TN TO TP TR TT TV TW TZ UA UG UM UN US UY UZ VA VC VE VG VI VN VU WF WO WS WV XK YE YT YU ZA ZM ZR ZW"
  ).split(" "),
);

export const GOAML_ENUMS = {
  conduction_type: "- A AA AB AC AD AE AF AG AH AJ AK AL AM AN AO AP AQ AR AS AT AU B C D E F".split(" "),
  funds_type: "- A B BB C CC D E EE F FF G H HH I J JJ K KK L LL M N NN O P QQ RR".split(" "),
  trans_item_type: "- A B C E F G I IP J O P PC RE S V W".split(" "),
  contact_type: "- 1 2 3 4".split(" "),
  communication_type: "- F L M P S".split(" "),
  report_indicator_type: ["-"],
  account_person_role_type: "- A CL J LG M OM P".split(" "),
} as const satisfies Record<string, readonly string[]>;

type EnumName = keyof typeof GOAML_ENUMS;
const code = (list: EnumName) =>
  z.string().refine((v) => (GOAML_ENUMS[list] as readonly string[]).includes(v), `not a ${list} code of the goAML 5.0.1 schema (${GOAML_ENUMS[list].join(" ")})`);

/** The FIU's lookup codes this generator writes; every field defaults to "-". */
export const GoamlCodesSchema = z.strictObject({
  /** transmode_code of an on-chain crypto-asset transfer. */
  transmodeCrypto: code("conduction_type").default("-"),
  /** transmode_code of a yen bank transfer. */
  transmodeBank: code("conduction_type").default("-"),
  /** transmode_code of a movement inside the exchange (a buy or sell against yen). */
  transmodeInternal: code("conduction_type").default("-"),
  /** funds codes (from_funds_code / to_funds_code) for crypto assets and for yen. */
  fundsCrypto: code("funds_type").default("-"),
  fundsYen: code("funds_type").default("-"),
  /** item_type of the goods_services item describing the crypto asset moved. */
  itemCryptoAsset: code("trans_item_type").default("-"),
  /** address_type and phone contact/communication types. */
  addressType: code("contact_type").default("-"),
  phoneContactType: code("contact_type").default("-"),
  phoneCommunicationType: code("communication_type").default("-"),
  /** role of an account holder in a signatory element. */
  signatoryRole: code("account_person_role_type").default("-"),
  /** report_indicators per typology id; typologies not listed get `defaultIndicator`. */
  indicators: z.record(z.string(), code("report_indicator_type")).default({}),
  defaultIndicator: code("report_indicator_type").default("-"),
});
export type GoamlCodes = z.output<typeof GoamlCodesSchema>;
export type GoamlCodesInput = z.input<typeof GoamlCodesSchema>;

export function parseGoamlCodes(v: unknown = {}): GoamlCodes {
  const r = GoamlCodesSchema.safeParse(v);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw badInput(issue.message, `goaml codes.${issuePath(issue.path)}`);
}

/** A country for goAML: the code when the schema lists it, else "-" (unknown). */
export const goamlCountry = (c: string | undefined): string => (c !== undefined && GOAML_COUNTRIES.has(c) ? c : "-");
