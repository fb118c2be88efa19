// Names for synthetic resident foreigners and non-residents, by nationality (ISO 3166 alpha-2), with
// the katakana reading a Japanese system would record. Chinese and Korean names also carry their
// kanji and the Japanese on'yomi reading some forms use instead of the native one (王 → ワン or オウ).
// Synthetic data.

export interface ForeignNamePart {
  latin: string;
  kana: string;
  /** Kanji form, for names that have one. */
  kanji?: string;
  /** Japanese on'yomi reading of the kanji form (an alternative reading seen on some records). */
  onyomi?: string;
}

export interface ForeignNameSet {
  nationality: string;
  /** Relative weight among resident foreigners in Japan (after the immigration statistics' order). */
  weight: number;
  family: readonly ForeignNamePart[];
  given: readonly ForeignNamePart[];
  /** Family name first when written in Latin (East Asian order) or last (Western order). */
  familyFirst: boolean;
  language: string;
}

const p = (latin: string, kana: string, kanji?: string, onyomi?: string): ForeignNamePart =>
  kanji === undefined ? { latin, kana } : onyomi === undefined ? { latin, kana, kanji } : { latin, kana, kanji, onyomi };

export const FOREIGN_NAMES: readonly ForeignNameSet[] = [
  {
    nationality: "CN", weight: 28, familyFirst: true, language: "zh-CN",
    family: [p("WANG", "ワン", "王", "オウ"), p("LI", "リ", "李", "リ"), p("ZHANG", "チャン", "張", "チョウ"), p("LIU", "リュウ", "劉", "リュウ"), p("CHEN", "チェン", "陳", "チン"), p("ZHAO", "チャオ", "趙", "チョウ")],
    given: [p("WEI", "ウェイ", "偉", "イ"), p("NA", "ナ", "娜", "ダ"), p("YANG", "ヤン", "洋", "ヨウ"), p("JING", "ジン", "静", "セイ"), p("HAO", "ハオ", "浩", "コウ"), p("MIN", "ミン", "敏", "ビン")],
  },
  {
    nationality: "VN", weight: 19, familyFirst: true, language: "vi-VN",
    family: [p("NGUYEN", "グエン"), p("TRAN", "チャン"), p("LE", "レ"), p("PHAM", "ファム"), p("HOANG", "ホアン"), p("VU", "ヴー")],
    given: [p("VAN AN", "ヴァン アン"), p("THI LAN", "ティ ラン"), p("VAN HUNG", "ヴァン フン"), p("THI MAI", "ティ マイ"), p("DUC MINH", "ドゥック ミン"), p("THI HOA", "ティ ホア")],
  },
  {
    nationality: "KR", weight: 14, familyFirst: true, language: "ko-KR",
    family: [p("KIM", "キム", "金", "キン"), p("LEE", "イ", "李", "リ"), p("PARK", "パク", "朴", "ボク"), p("CHOI", "チェ", "崔", "サイ"), p("JUNG", "チョン", "鄭", "テイ")],
    given: [p("MINJUN", "ミンジュン", "民俊", "ミンシュン"), p("SEOYEON", "ソヨン", "瑞妍", "ズイケン"), p("JIHOON", "ジフン", "志勲", "シクン"), p("HYUNWOO", "ヒョヌ", "賢宇", "ケンウ")],
  },
  {
    nationality: "PH", weight: 10, familyFirst: false, language: "en-PH",
    family: [p("SANTOS", "サントス"), p("REYES", "レイエス"), p("CRUZ", "クルス"), p("GARCIA", "ガルシア"), p("MENDOZA", "メンドーサ")],
    given: [p("MARIA", "マリア"), p("JOSE", "ホセ"), p("MARK", "マーク"), p("JOY", "ジョイ"), p("ANGELO", "アンジェロ")],
  },
  {
    nationality: "NP", weight: 6, familyFirst: false, language: "ne-NP",
    family: [p("SHRESTHA", "シュレスタ"), p("GURUNG", "グルン"), p("TAMANG", "タマン"), p("RAI", "ライ")],
    given: [p("RAM", "ラム"), p("SITA", "シタ"), p("BIKASH", "ビカス"), p("ANITA", "アニタ")],
  },
  {
    nationality: "BR", weight: 6, familyFirst: false, language: "pt-BR",
    family: [p("SILVA", "シルバ"), p("OLIVEIRA", "オリヴェイラ"), p("SOUZA", "ソウザ"), p("PEREIRA", "ペレイラ")],
    given: [p("LUCAS", "ルーカス"), p("ANA", "アナ"), p("GABRIEL", "ガブリエル"), p("JULIANA", "ジュリアナ")],
  },
  {
    nationality: "US", weight: 4, familyFirst: false, language: "en-US",
    family: [p("SMITH", "スミス"), p("JOHNSON", "ジョンソン"), p("WILLIAMS", "ウィリアムズ"), p("BROWN", "ブラウン"), p("MILLER", "ミラー")],
    given: [p("JOHN", "ジョン"), p("EMILY", "エミリー"), p("MICHAEL", "マイケル"), p("SARAH", "サラ"), p("DAVID", "デイビッド")],
  },
  {
    nationality: "IN", weight: 3, familyFirst: false, language: "en-IN",
    family: [p("SHARMA", "シャルマ"), p("PATEL", "パテル"), p("SINGH", "シン"), p("KUMAR", "クマール")],
    given: [p("RAHUL", "ラフル"), p("PRIYA", "プリヤ"), p("ARJUN", "アルジュン"), p("NEHA", "ネハ")],
  },
];

/** Where the few non-residents (who should not hold a Japanese exchange account) say they live. */
export const NON_RESIDENT_PLACES: readonly { country: string; nationality: string; city: string; street: string; phonePrefix: string; language: string; tz: string }[] = [
  { country: "CN", nationality: "CN", city: "Shanghai", street: "Lujiazui Ring Road", phonePrefix: "+86 138", language: "zh-CN", tz: "Asia/Shanghai" },
  { country: "HK", nationality: "CN", city: "Kowloon, Hong Kong", street: "Nathan Road", phonePrefix: "+852 6", language: "zh-HK", tz: "Asia/Hong_Kong" },
  { country: "SG", nationality: "SG", city: "Singapore", street: "Orchard Road", phonePrefix: "+65 9", language: "en-SG", tz: "Asia/Singapore" },
  { country: "RU", nationality: "RU", city: "Moscow", street: "Tverskaya Street", phonePrefix: "+7 916", language: "ru-RU", tz: "Europe/Moscow" },
  { country: "US", nationality: "US", city: "San Francisco, CA", street: "Market Street", phonePrefix: "+1 415", language: "en-US", tz: "America/Los_Angeles" },
  { country: "KR", nationality: "KR", city: "Seoul", street: "Teheran-ro", phonePrefix: "+82 10", language: "ko-KR", tz: "Asia/Seoul" },
];
