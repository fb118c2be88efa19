// Seeded synthetic identity records for measuring linkage: people written differently across sources
// (width, variant kanji, hiragana/katakana/half-width/romaji readings, era dates, address writings,
// typos, moves, married name changes) and the hard negatives that break naive linkage (namesakes with
// different birth dates, families at one address sharing a landline, twins, a father and son with the
// same name). All names are drawn from common-name lists and all addresses are random numbers in real
// towns: no real person is described.
import { defaultAddressIndex } from "../normalize/address.ts";
import type { CityEntry } from "../normalize/address-data.ts";
import { kanaToFoldedRomaji, katakanaToHiragana } from "../normalize/kana.ts";
import { seededRandom } from "./model.ts";
import type { IdentityRecord } from "./record.ts";

interface NameEntry {
  kanji: string;
  kana: string;
  /** Variant spellings people also write (髙橋 for 高橋). */
  variants?: string[];
}

// Surnames, most common first (the order gives a Zipf-like frequency).
const FAMILY: NameEntry[] = [
  { kanji: "佐藤", kana: "サトウ" }, { kanji: "鈴木", kana: "スズキ" }, { kanji: "高橋", kana: "タカハシ", variants: ["髙橋"] },
  { kanji: "田中", kana: "タナカ" }, { kanji: "伊藤", kana: "イトウ" }, { kanji: "渡辺", kana: "ワタナベ", variants: ["渡邊", "渡邉"] },
  { kanji: "山本", kana: "ヤマモト" }, { kanji: "中村", kana: "ナカムラ" }, { kanji: "小林", kana: "コバヤシ" },
  { kanji: "加藤", kana: "カトウ" }, { kanji: "吉田", kana: "ヨシダ", variants: ["𠮷田"] }, { kanji: "山田", kana: "ヤマダ" },
  { kanji: "佐々木", kana: "ササキ" }, { kanji: "山口", kana: "ヤマグチ" }, { kanji: "松本", kana: "マツモト" },
  { kanji: "井上", kana: "イノウエ" }, { kanji: "木村", kana: "キムラ" }, { kanji: "林", kana: "ハヤシ" },
  { kanji: "斎藤", kana: "サイトウ", variants: ["齋藤", "齊藤", "斉藤"] }, { kanji: "清水", kana: "シミズ" },
  { kanji: "山崎", kana: "ヤマザキ", variants: ["山﨑"] }, { kanji: "森", kana: "モリ" }, { kanji: "池田", kana: "イケダ" },
  { kanji: "橋本", kana: "ハシモト" }, { kanji: "阿部", kana: "アベ" }, { kanji: "石川", kana: "イシカワ" },
  { kanji: "山下", kana: "ヤマシタ" }, { kanji: "中島", kana: "ナカジマ", variants: ["中嶋"] }, { kanji: "石井", kana: "イシイ" },
  { kanji: "小川", kana: "オガワ" }, { kanji: "前田", kana: "マエダ" }, { kanji: "岡田", kana: "オカダ" },
  { kanji: "長谷川", kana: "ハセガワ" }, { kanji: "藤田", kana: "フジタ" }, { kanji: "後藤", kana: "ゴトウ" },
  { kanji: "近藤", kana: "コンドウ" }, { kanji: "村上", kana: "ムラカミ" }, { kanji: "遠藤", kana: "エンドウ" },
  { kanji: "青木", kana: "アオキ" }, { kanji: "坂本", kana: "サカモト" }, { kanji: "福田", kana: "フクダ" },
  { kanji: "太田", kana: "オオタ" }, { kanji: "西村", kana: "ニシムラ" }, { kanji: "藤井", kana: "フジイ" },
  { kanji: "金子", kana: "カネコ" }, { kanji: "岡本", kana: "オカモト" }, { kanji: "藤原", kana: "フジワラ" },
  { kanji: "中野", kana: "ナカノ" }, { kanji: "三浦", kana: "ミウラ" }, { kanji: "原田", kana: "ハラダ" },
  { kanji: "中川", kana: "ナカガワ" }, { kanji: "松田", kana: "マツダ" }, { kanji: "竹内", kana: "タケウチ" },
  { kanji: "小野", kana: "オノ" }, { kanji: "田村", kana: "タムラ" }, { kanji: "中山", kana: "ナカヤマ" },
  { kanji: "和田", kana: "ワダ" }, { kanji: "石田", kana: "イシダ" }, { kanji: "森田", kana: "モリタ" },
  { kanji: "上田", kana: "ウエダ" }, { kanji: "原", kana: "ハラ" }, { kanji: "柴田", kana: "シバタ" },
  { kanji: "酒井", kana: "サカイ" }, { kanji: "工藤", kana: "クドウ" }, { kanji: "横山", kana: "ヨコヤマ" },
  { kanji: "宮崎", kana: "ミヤザキ", variants: ["宮﨑"] }, { kanji: "宮本", kana: "ミヤモト" }, { kanji: "内田", kana: "ウチダ" },
  { kanji: "高木", kana: "タカギ", variants: ["髙木"] }, { kanji: "安藤", kana: "アンドウ" }, { kanji: "島田", kana: "シマダ", variants: ["嶋田"] },
  { kanji: "谷口", kana: "タニグチ" }, { kanji: "大野", kana: "オオノ" }, { kanji: "丸山", kana: "マルヤマ" },
  { kanji: "今井", kana: "イマイ" }, { kanji: "高田", kana: "タカダ", variants: ["髙田"] }, { kanji: "藤本", kana: "フジモト" },
  { kanji: "武田", kana: "タケダ" }, { kanji: "村田", kana: "ムラタ" }, { kanji: "上野", kana: "ウエノ" },
  { kanji: "杉山", kana: "スギヤマ" }, { kanji: "増田", kana: "マスダ" }, { kanji: "小山", kana: "コヤマ" },
  { kanji: "大塚", kana: "オオツカ" }, { kanji: "平野", kana: "ヒラノ" }, { kanji: "菅原", kana: "スガワラ" },
  { kanji: "久保", kana: "クボ" }, { kanji: "松井", kana: "マツイ" }, { kanji: "千葉", kana: "チバ" },
  { kanji: "岩崎", kana: "イワサキ", variants: ["岩﨑"] }, { kanji: "桜井", kana: "サクライ", variants: ["櫻井"] },
  { kanji: "木下", kana: "キノシタ" }, { kanji: "野口", kana: "ノグチ" }, { kanji: "松尾", kana: "マツオ" },
  { kanji: "菊地", kana: "キクチ" }, { kanji: "野村", kana: "ノムラ" }, { kanji: "新井", kana: "アライ" },
  { kanji: "渡部", kana: "ワタナベ" }, { kanji: "浜田", kana: "ハマダ", variants: ["濱田", "濵田"] },
  { kanji: "沢田", kana: "サワダ", variants: ["澤田"] }, { kanji: "広瀬", kana: "ヒロセ", variants: ["廣瀬"] },
  { kanji: "国分", kana: "コクブン", variants: ["國分"] }, { kanji: "徳永", kana: "トクナガ", variants: ["德永"] },
  { kanji: "辺見", kana: "ヘンミ", variants: ["邊見"] }, { kanji: "富田", kana: "トミタ", variants: ["冨田"] },
  { kanji: "滝沢", kana: "タキザワ", variants: ["瀧澤", "滝澤"] }, { kanji: "東海林", kana: "ショウジ" },
];

const GIVEN_M: NameEntry[] = [
  { kanji: "翔太", kana: "ショウタ" }, { kanji: "大輔", kana: "ダイスケ" }, { kanji: "拓也", kana: "タクヤ" },
  { kanji: "健太", kana: "ケンタ" }, { kanji: "達也", kana: "タツヤ" }, { kanji: "直樹", kana: "ナオキ" },
  { kanji: "和也", kana: "カズヤ" }, { kanji: "誠", kana: "マコト" }, { kanji: "太郎", kana: "タロウ" },
  { kanji: "一郎", kana: "イチロウ" }, { kanji: "健一", kana: "ケンイチ" }, { kanji: "浩二", kana: "コウジ" },
  { kanji: "隆", kana: "タカシ" }, { kanji: "博", kana: "ヒロシ" }, { kanji: "修", kana: "オサム" },
  { kanji: "剛", kana: "ツヨシ" }, { kanji: "悠斗", kana: "ユウト" }, { kanji: "悠太", kana: "ユウタ" },
  { kanji: "蓮", kana: "レン" }, { kanji: "陽翔", kana: "ハルト" }, { kanji: "大翔", kana: "ヒロト" },
  { kanji: "優斗", kana: "ユウト" }, { kanji: "健", kana: "ケン" }, { kanji: "翼", kana: "ツバサ" },
  { kanji: "亮", kana: "リョウ" }, { kanji: "慎一", kana: "シンイチ" }, { kanji: "純一", kana: "ジュンイチ" },
  { kanji: "雄一", kana: "ユウイチ" }, { kanji: "洋平", kana: "ヨウヘイ" }, { kanji: "康平", kana: "コウヘイ" },
  { kanji: "俊介", kana: "シュンスケ" }, { kanji: "秀樹", kana: "ヒデキ" }, { kanji: "正樹", kana: "マサキ" },
  { kanji: "裕太", kana: "ユウタ" }, { kanji: "光", kana: "ヒカル" }, { kanji: "聡", kana: "サトシ" },
];
const GIVEN_F: NameEntry[] = [
  { kanji: "陽子", kana: "ヨウコ" }, { kanji: "裕子", kana: "ユウコ" }, { kanji: "優子", kana: "ユウコ" },
  { kanji: "恵子", kana: "ケイコ", variants: ["惠子"] }, { kanji: "京子", kana: "キョウコ" }, { kanji: "美由紀", kana: "ミユキ" },
  { kanji: "直美", kana: "ナオミ" }, { kanji: "由美", kana: "ユミ" }, { kanji: "真由美", kana: "マユミ" },
  { kanji: "久美子", kana: "クミコ" }, { kanji: "智子", kana: "トモコ" }, { kanji: "明美", kana: "アケミ" },
  { kanji: "さくら", kana: "サクラ" }, { kanji: "陽菜", kana: "ヒナ" }, { kanji: "結衣", kana: "ユイ" },
  { kanji: "美咲", kana: "ミサキ" }, { kanji: "愛", kana: "アイ" }, { kanji: "彩", kana: "アヤ" },
  { kanji: "葵", kana: "アオイ" }, { kanji: "千尋", kana: "チヒロ" }, { kanji: "美穂", kana: "ミホ" },
  { kanji: "麻衣", kana: "マイ" }, { kanji: "沙織", kana: "サオリ" }, { kanji: "香織", kana: "カオリ" },
  { kanji: "綾香", kana: "アヤカ" }, { kanji: "舞", kana: "マイ" }, { kanji: "奈々", kana: "ナナ" },
  { kanji: "絵美", kana: "エミ" }, { kanji: "恵", kana: "メグミ" }, { kanji: "瞳", kana: "ヒトミ" },
  { kanji: "由香", kana: "ユカ" }, { kanji: "純子", kana: "ジュンコ" }, { kanji: "洋子", kana: "ヨウコ" },
];

// Kana a typist confuses (voicing, small/large, neighbours in the gojūon table).
const KANA_TYPOS: Readonly<Record<string, string>> = {
  タ: "ダ", ダ: "タ", カ: "ガ", ガ: "カ", サ: "ザ", ザ: "サ", ハ: "バ", バ: "ハ", キ: "ギ", シ: "ジ", ト: "ド", ド: "ト",
  コ: "ゴ", ヨ: "ユ", ユ: "ヨ", ウ: "オ", オ: "ウ", ナ: "ノ", ミ: "メ", ツ: "ス", リ: "ル", ケ: "ゲ", ク: "グ",
};

export interface SyntheticPerson {
  personId: string;
  family: NameEntry;
  given: NameEntry;
  sex: "m" | "f";
  dob: [number, number, number];
  /** Addresses over time (a move adds one); records may carry any of them. */
  addresses: SyntheticAddress[];
  mobile: string;
  landline: string | null;
  email: string | null;
  /** A second family name after marriage, when the person changed it. */
  marriedFamily: NameEntry | null;
}

export interface SyntheticAddress {
  prefecture: string;
  city: string;
  town: string;
  chome: number | null;
  block: string;
  postalCode: string | null;
}

export interface SyntheticDataset {
  records: IdentityRecord[];
  /** recordId → personId (the truth). */
  truth: Map<string, string>;
  people: SyntheticPerson[];
}

export interface SyntheticOptions {
  seed: number;
  /** People drawn independently (households, twins and namesakes are added on top). */
  people: number;
}

const SOURCES = ["exchange-a", "exchange-b", "exchange-c", "bureau-j", "bureau-k"];
const DOMAINS = ["example.jp", "example.com", "example.ne.jp", "example.co.jp"];

/** Generates a labelled dataset. The same options always give the same records. */
export function generateSyntheticIdentities(opts: SyntheticOptions): SyntheticDataset {
  const rnd = seededRandom(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const zipf = <T>(xs: readonly T[]): T => xs[Math.min(xs.length - 1, Math.floor(Math.pow(rnd(), 2.2) * xs.length))] as T;
  const chance = (p: number) => rnd() < p;
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const digits = (n: number) => Array.from({ length: n }, () => String(int(0, 9))).join("");

  // Real towns of a few dozen municipalities.
  const index = defaultAddressIndex();
  const cities: CityEntry[] = [];
  const sorted = [...index.cities].sort((a, b) => a.code.localeCompare(b.code));
  while (cities.length < 40) {
    const c = pick(sorted);
    if (!cities.includes(c) && c.towns().byKey.size >= 5) cities.push(c);
  }
  const randomAddress = (): SyntheticAddress => {
    const city = pick(cities);
    const towns = [...city.towns().byKey.values()].flat().filter((t) => !/[0-9]/u.test(t.name));
    const town = pick(towns);
    const hasChome = chance(0.6);
    const postal = town.postalCodes.find((p) => !p.endsWith("xx")) ?? null;
    return {
      prefecture: city.prefecture.name,
      city: city.name,
      town: town.name,
      chome: hasChome ? int(1, 6) : null,
      block: hasChome ? `${int(1, 30)}-${int(1, 20)}` : `${int(1, 2500)}${chance(0.5) ? `-${int(1, 9)}` : ""}`,
      postalCode: postal,
    };
  };
  const mobile = () => `0${pick(["70", "80", "90"])}${digits(8)}`;
  const landline = () => `0${int(3, 9)}${digits(8)}`;
  const birth = (lo: number, hi: number): [number, number, number] => [int(lo, hi), int(1, 12), int(1, 28)];
  const emailFor = (given: NameEntry, family: NameEntry, year: number) =>
    `${kanaToFoldedRomaji(given.kana).replace(/ /g, "")}.${kanaToFoldedRomaji(family.kana).replace(/ /g, "")}${chance(0.5) ? String(year % 100) : digits(3)}@${pick(DOMAINS)}`;

  const people: SyntheticPerson[] = [];
  let pid = 0;
  const newPerson = (p: Omit<SyntheticPerson, "personId">): SyntheticPerson => {
    const person = { ...p, personId: `P${String(++pid).padStart(5, "0")}` };
    people.push(person);
    return person;
  };
  for (let k = 0; k < opts.people; k++) {
    const sex = chance(0.5) ? "m" : "f";
    const family = zipf(FAMILY);
    const given = zipf(sex === "m" ? GIVEN_M : GIVEN_F);
    const dob = birth(1950, 2004);
    const home = randomAddress();
    const shared = chance(0.35) ? landline() : null;
    const person = newPerson({
      family, given, sex, dob, addresses: [home], mobile: mobile(), landline: shared, email: chance(0.7) ? emailFor(given, family, dob[0]) : null, marriedFamily: null,
    });
    if (chance(0.15)) person.addresses.push(randomAddress()); // moved house
    if (sex === "f" && chance(0.12)) {
      let other = zipf(FAMILY);
      while (other.kana === family.kana) other = zipf(FAMILY);
      person.marriedFamily = other;
      if (!person.addresses.includes(home) || person.addresses.length === 1) person.addresses.push(randomAddress());
    }
    // Hard negatives.
    const r = rnd();
    if (r < 0.2) {
      // A household: spouse and a child at the same address, same surname, sharing the landline.
      const line = person.landline ?? landline();
      person.landline = line;
      const spouseSex = sex === "m" ? "f" : "m";
      let spouseGiven = pick(spouseSex === "m" ? GIVEN_M : GIVEN_F);
      while (spouseGiven.kana === given.kana) spouseGiven = pick(spouseSex === "m" ? GIVEN_M : GIVEN_F);
      newPerson({ family, given: spouseGiven, sex: spouseSex, dob: birth(dob[0] - 4, dob[0] + 4), addresses: [home], mobile: mobile(), landline: line, email: null, marriedFamily: null });
      const childSex = chance(0.5) ? "m" : "f";
      let childGiven = pick(childSex === "m" ? GIVEN_M : GIVEN_F);
      while (childGiven.kana === given.kana || childGiven.kana === spouseGiven.kana) childGiven = pick(childSex === "m" ? GIVEN_M : GIVEN_F);
      newPerson({ family, given: childGiven, sex: childSex, dob: birth(Math.min(dob[0] + 22, 2005), Math.min(dob[0] + 35, 2006)), addresses: [home], mobile: mobile(), landline: line, email: null, marriedFamily: null });
    } else if (r < 0.24) {
      // Twins: same surname, birth date, address and landline; different (often similar) given names.
      const line = person.landline ?? landline();
      person.landline = line;
      const pool = sex === "m" ? GIVEN_M : GIVEN_F;
      let twinGiven = pick(pool);
      while (twinGiven.kana === given.kana) twinGiven = pick(pool);
      newPerson({ family, given: twinGiven, sex, dob: [...dob], addresses: [home], mobile: mobile(), landline: line, email: null, marriedFamily: null });
    } else if (r < 0.27 && sex === "m") {
      // A son with his father's name, at his father's address.
      const line = person.landline ?? landline();
      person.landline = line;
      newPerson({ family, given, sex, dob: birth(Math.min(dob[0] + 25, 2005), Math.min(dob[0] + 35, 2006)), addresses: [home], mobile: mobile(), landline: line, email: null, marriedFamily: null });
    } else if (r < 0.31) {
      // A namesake elsewhere: same kanji and reading, different birth date and address.
      newPerson({ family, given, sex, dob: birth(1950, 2004), addresses: [randomAddress()], mobile: mobile(), landline: null, email: null, marriedFamily: null });
    }
  }

  // Records: every person has 1–4, from different sources, written differently.
  const records: IdentityRecord[] = [];
  const truth = new Map<string, string>();
  let rid = 0;
  for (const p of people) {
    const count = 1 + (chance(0.75) ? 1 : 0) + (chance(0.35) ? 1 : 0) + (chance(0.1) ? 1 : 0);
    for (let c = 0; c < count; c++) {
      const recordId = `R${String(++rid).padStart(6, "0")}`;
      truth.set(recordId, p.personId);
      records.push(writeRecord(p, recordId, c));
    }
  }
  return { records, truth, people };

  function writeRecord(p: SyntheticPerson, recordId: string, nth: number): IdentityRecord {
    const married = p.marriedFamily !== null && nth > 0 && chance(0.6);
    const fam = married && p.marriedFamily ? p.marriedFamily : p.family;
    const famKanji = fam.variants && chance(0.3) ? pick(fam.variants) : fam.kanji;
    const givKanji = p.given.variants && chance(0.3) ? pick(p.given.variants) : p.given.kanji;
    const sep = pick([" ", " ", "　", ""]);
    let famKana = fam.kana;
    let givKana = p.given.kana;
    if (chance(0.04)) {
      // One mistyped kana.
      const typo = (s: string) => {
        const chars = [...s];
        const positions = chars.map((ch, i) => (KANA_TYPOS[ch] ? i : -1)).filter((i) => i >= 0);
        if (positions.length === 0) return s;
        const at = pick(positions);
        chars[at] = KANA_TYPOS[chars[at] ?? ""] ?? chars[at] ?? "";
        return chars.join("");
      };
      if (chance(0.5)) famKana = typo(famKana);
      else givKana = typo(givKana);
    }
    const record: IdentityRecord = { recordId, source: SOURCES[nth % SOURCES.length] ?? "exchange-a", name: `${famKanji}${sep}${givKanji}` };
    const style = rnd();
    if (style < 0.07) {
      // Latin only (a foreign-issued card, a card name): passport Hepburn, often Western order.
      const f = kanaToFoldedRomaji(famKana).toUpperCase();
      const g = kanaToFoldedRomaji(givKana).toUpperCase();
      record.name = chance(0.6) ? `${g} ${f}` : chance(0.5) ? `${f}, ${g}` : `${f} ${g[0] ?? ""}${g.slice(1).toLowerCase()}`;
    } else if (style < 0.12) {
      // Kanji only.
    } else {
      const kanaSep = sep === "" ? "" : pick([" ", "　", ""]);
      const kana = `${famKana}${kanaSep}${givKana}`;
      const form = rnd();
      record.nameKana = form < 0.5 ? kana : form < 0.8 ? katakanaToHiragana(kana) : kana.normalize("NFKC") === kana ? toHalfWidth(kana) : kana;
      if (chance(0.2)) record.nameLatin = `${kanaToFoldedRomaji(givKana)} ${kanaToFoldedRomaji(famKana)}`.replace(/\b\w/g, (m) => m.toUpperCase());
    }
    if (chance(0.98)) record.dateOfBirth = writeDate(p.dob);
    const addr = married ? (p.addresses[p.addresses.length - 1] ?? p.addresses[0]) : pick(p.addresses);
    if (addr && chance(0.9)) {
      record.address = writeAddress(addr);
      if (addr.postalCode && chance(0.6)) record.postalCode = `${addr.postalCode.slice(0, 3)}-${addr.postalCode.slice(3)}`;
    }
    const phone = p.landline && chance(0.25) ? p.landline : chance(0.75) ? (nth > 0 && chance(0.1) ? mobile() : p.mobile) : null;
    if (phone) record.phone = writePhone(phone);
    if (p.email && chance(0.6)) record.email = chance(0.3) ? p.email.toUpperCase() : p.email;
    return record;
  }

  function writeDate([y, m, d]: [number, number, number]): string {
    const s = rnd();
    if (s < 0.6) return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
    if (s < 0.8) return `${y}/${m}/${d}`;
    if (s < 0.9 && (y > 1926 || (y === 1926 && m === 12 && d >= 25)) && y < 1989) return `昭和${y - 1925}年${m}月${d}日`;
    if (s < 0.95 && y >= 1989 && y <= 2018) return `H${y - 1988}.${m}.${d}`;
    return `${y}年${m}月${d}日`;
  }

  function writeAddress(a: SyntheticAddress): string {
    const pref = chance(0.85) ? a.prefecture : "";
    const parts = a.block.split("-");
    let tail: string;
    const s = rnd();
    if (a.chome !== null) {
      if (s < 0.5) tail = `${a.chome}-${a.block}`;
      else if (s < 0.8) tail = `${a.chome}丁目${parts[0] ?? ""}番${parts[1] ?? ""}号`;
      else tail = `${a.chome}丁目${a.block}`;
    } else {
      tail = parts.length > 1 && s < 0.3 ? `${parts[0]}番地${parts[1]}` : a.block;
    }
    let text = `${pref}${a.city}${a.town}${tail}`;
    if (chance(0.2)) text = text.replace(/[0-9-]/gu, (c) => (c === "-" ? "－" : String.fromCharCode(c.charCodeAt(0) + 0xfee0)));
    if (chance(0.1)) text += ` ${pick(["コーポ", "ハイツ", "メゾン"])}${pick(["桜", "若葉", "青葉"])} ${int(1, 5)}0${int(1, 9)}`;
    return text;
  }

  function writePhone(national: string): string {
    const s = rnd();
    const mobileLike = /^0[789]0/u.test(national);
    const a = mobileLike ? national.slice(0, 3) : national.slice(0, 2);
    const b = mobileLike ? national.slice(3, 7) : national.slice(2, 6);
    const c = mobileLike ? national.slice(7) : national.slice(6);
    if (s < 0.4) return `${a}-${b}-${c}`;
    if (s < 0.6) return national;
    if (s < 0.75) return `+81 ${a.slice(1)} ${b} ${c}`;
    if (s < 0.9) return `${a}-${b}-${c}`.replace(/[0-9-]/gu, (ch) => (ch === "-" ? "－" : String.fromCharCode(ch.charCodeAt(0) + 0xfee0)));
    return `(${a})${b}-${c}`;
  }
}

const HALF: Readonly<Record<string, string>> = (() => {
  const full = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンァィゥェォャュョッー";
  const half = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｧｨｩｪｫｬｭｮｯｰ";
  const m: Record<string, string> = {};
  [...full].forEach((c, i) => (m[c] = half[i] ?? c));
  const voiced = "ガギグゲゴザジズゼゾダヂヅデドバビブベボ";
  const base = "カキクケコサシスセソタチツテトハヒフヘホ";
  [...voiced].forEach((c, i) => (m[c] = `${m[base[i] ?? ""] ?? ""}ﾞ`));
  const semi = "パピプペポ";
  [...semi].forEach((c, i) => (m[c] = `${m["ハヒフヘホ"[i] ?? ""] ?? ""}ﾟ`));
  m[" "] = " ";
  m["　"] = " ";
  return m;
})();

/** Full-width katakana to half-width (ﾔﾏﾀﾞ), as bank systems print names. */
export function toHalfWidth(kana: string): string {
  return [...kana].map((c) => HALF[c] ?? c).join("");
}
