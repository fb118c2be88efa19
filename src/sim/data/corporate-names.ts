// Parts of synthetic company names: a stem and a business word, with katakana readings and English
// renderings, and the legal forms (株式会社 before or after the name, 合同会社, 有限会社). Made up;
// a clash with a real company's name would be a coincidence of common words.

export type CorpPart = readonly [kanji: string, kana: string, latin: string];

export const CORP_STEMS: readonly CorpPart[] = [
  ["東洋", "トウヨウ", "Toyo"], ["日本橋", "ニホンバシ", "Nihonbashi"], ["大和", "ヤマト", "Yamato"], ["富士", "フジ", "Fuji"],
  ["サクラ", "サクラ", "Sakura"], ["ひかり", "ヒカリ", "Hikari"], ["ミライ", "ミライ", "Mirai"], ["青葉", "アオバ", "Aoba"],
  ["北斗", "ホクト", "Hokuto"], ["朝日", "アサヒ", "Asahi"], ["若葉", "ワカバ", "Wakaba"], ["翠", "ミドリ", "Midori"],
  ["雅", "ミヤビ", "Miyabi"], ["白鷺", "シラサギ", "Shirasagi"], ["銀河", "ギンガ", "Ginga"], ["紅葉", "モミジ", "Momiji"],
  ["飛鳥", "アスカ", "Asuka"], ["カグラ", "カグラ", "Kagura"], ["アオゾラ", "アオゾラ", "Aozora"], ["瀬戸内", "セトウチ", "Setouchi"],
  ["湘南", "ショウナン", "Shonan"], ["北辰", "ホクシン", "Hokushin"], ["大樹", "タイジュ", "Taiju"], ["日向", "ヒナタ", "Hinata"],
];

export const CORP_WORDS: readonly CorpPart[] = [
  ["商事", "ショウジ", "Shoji"], ["物産", "ブッサン", "Bussan"], ["ホールディングス", "ホールディングス", "Holdings"],
  ["キャピタル", "キャピタル", "Capital"], ["テクノロジーズ", "テクノロジーズ", "Technologies"], ["トレーディング", "トレーディング", "Trading"],
  ["インベストメント", "インベストメント", "Investment"], ["興業", "コウギョウ", "Kogyo"], ["不動産", "フドウサン", "Real Estate"],
  ["建設", "ケンセツ", "Construction"], ["ソリューションズ", "ソリューションズ", "Solutions"], ["アセット", "アセット", "Asset"],
];

/** Legal forms: how they are written, read, abbreviated and rendered in English, and where they go. */
export interface LegalForm {
  full: string;
  kana: string;
  abbreviations: readonly string[];
  latin: readonly string[];
  weight: number;
}

export const LEGAL_FORMS: readonly LegalForm[] = [
  { full: "株式会社", kana: "カブシキガイシャ", abbreviations: ["(株)", "（株）", "㈱"], latin: ["Co., Ltd.", "CO.,LTD.", "K.K.", "Inc."], weight: 80 },
  { full: "合同会社", kana: "ゴウドウガイシャ", abbreviations: ["(同)", "（同）"], latin: ["LLC", "G.K."], weight: 15 },
  { full: "有限会社", kana: "ユウゲンガイシャ", abbreviations: ["(有)", "（有）", "㈲"], latin: ["Ltd.", "Y.K."], weight: 5 },
];

/** Market makers and trading desks: corporates whose business is liquidity. */
export const MARKET_MAKER_STEMS: readonly CorpPart[] = [
  ["流動性", "リュウドウセイ", "Ryudosei"], ["クオンツ", "クオンツ", "Quants"], ["アルゴ", "アルゴ", "Algo"], ["ミッドプライス", "ミッドプライス", "Midprice"],
  ["オーダーブック", "オーダーブック", "Orderbook"], ["スプレッド", "スプレッド", "Spread"], ["ティック", "ティック", "Tick"],
];
