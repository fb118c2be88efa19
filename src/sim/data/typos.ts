// The slips people and clerks make when they type an identity: a kanji converted wrongly by the input
// method (the right reading, the wrong character: 裕子 typed as 祐子), a kana confused with its voiced
// or neighbouring form (タ/ダ, ヨ/ユ), digits swapped. Used to write a small share of the simulated
// records with one such slip; the ground truth says which.

/**
 * Kanji an input method offers for the same reading, so a hurried typist picks the neighbour: each
 * entry maps a character to the ones it is mistaken for (same reading in names).
 */
export const IME_CONFUSIONS: Readonly<Record<string, readonly string[]>> = {
  "裕": ["祐", "佑"], "祐": ["裕", "佑"], "洋": ["陽", "容"], "陽": ["洋", "容"], "智": ["知"], "知": ["智"],
  "健": ["憲", "賢"], "浩": ["宏", "弘"], "博": ["浩", "宏"], "郎": ["朗"], "輔": ["介"], "介": ["輔"],
  "也": ["哉"], "直": ["尚"], "和": ["一"], "秀": ["英"], "正": ["雅", "昌"], "雅": ["正", "昌"], "隆": ["崇", "孝"],
  "美": ["実"], "恵": ["啓", "慶"], "由": ["有"], "紀": ["記", "希"], "幸": ["孝", "行"], "達": ["竜"],
  "拓": ["卓"], "樹": ["紀"], "翔": ["祥"], "斎": ["斉"], "斉": ["斎"], "辺": ["部"],
  "崎": ["埼"], "藤": ["籐"], "渕": ["淵"], "淵": ["渕"],
  "野": ["埜"], "田": ["多"], "井": ["居"], "谷": ["矢"], "太": ["大"], "大": ["太"],
};

/** Kana a typist confuses: voiced and unvoiced, small and large, neighbours in the gojūon table. */
export const KANA_CONFUSIONS: Readonly<Record<string, string>> = {
  "タ": "ダ", "ダ": "タ", "カ": "ガ", "ガ": "カ", "サ": "ザ", "ザ": "サ", "ハ": "バ", "バ": "ハ", "キ": "ギ", "ギ": "キ",
  "シ": "ジ", "ジ": "シ", "ト": "ド", "ド": "ト", "コ": "ゴ", "ゴ": "コ", "ヨ": "ユ", "ユ": "ヨ", "ウ": "オ", "オ": "ウ",
  "ナ": "ノ", "ミ": "メ", "ツ": "ス", "リ": "ル", "ル": "リ", "ケ": "ゲ", "ク": "グ", "ッ": "ツ", "ャ": "ヤ", "ュ": "ユ",
  "ョ": "ヨ", "ホ": "ボ", "ヒ": "ビ", "フ": "ブ",
};
