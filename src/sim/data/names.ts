// Japanese name table for synthetic people: [kanji, katakana reading, Hepburn romaji with macrons].
// Common surnames (after the usual frequency rankings: 佐藤, 鈴木, 高橋, 田中, …) and given names
// across generations. Variant-kanji surnames (異体字: 髙橋, 齋藤, 渡邊, 山﨑, 𠮷田, …) carry the
// everyday form they are folded to by systems that cannot store them.
//
// Romaji keeps long vowels as macrons (Satō); renderers produce passport Hepburn (SATO), wāpuro
// (SATOU) and "oh" (SATOH) spellings from it. Synthetic data: any resemblance to a real person is
// a coincidence of common names.

export type NameEntry = readonly [kanji: string, kana: string, romaji: string];
export type VariantSurname = readonly [kanji: string, kana: string, romaji: string, everyday: string];

export const SURNAMES: readonly NameEntry[] = [
  ["佐藤", "サトウ", "Satō"], ["鈴木", "スズキ", "Suzuki"], ["高橋", "タカハシ", "Takahashi"], ["田中", "タナカ", "Tanaka"],
  ["伊藤", "イトウ", "Itō"], ["渡辺", "ワタナベ", "Watanabe"], ["山本", "ヤマモト", "Yamamoto"], ["中村", "ナカムラ", "Nakamura"],
  ["小林", "コバヤシ", "Kobayashi"], ["加藤", "カトウ", "Katō"], ["吉田", "ヨシダ", "Yoshida"], ["山田", "ヤマダ", "Yamada"],
  ["佐々木", "ササキ", "Sasaki"], ["山口", "ヤマグチ", "Yamaguchi"], ["松本", "マツモト", "Matsumoto"], ["井上", "イノウエ", "Inoue"],
  ["木村", "キムラ", "Kimura"], ["林", "ハヤシ", "Hayashi"], ["斎藤", "サイトウ", "Saitō"], ["清水", "シミズ", "Shimizu"],
  ["山崎", "ヤマザキ", "Yamazaki"], ["森", "モリ", "Mori"], ["池田", "イケダ", "Ikeda"], ["橋本", "ハシモト", "Hashimoto"],
  ["阿部", "アベ", "Abe"], ["石川", "イシカワ", "Ishikawa"], ["山下", "ヤマシタ", "Yamashita"], ["中島", "ナカジマ", "Nakajima"],
  ["石井", "イシイ", "Ishii"], ["小川", "オガワ", "Ogawa"], ["前田", "マエダ", "Maeda"], ["岡田", "オカダ", "Okada"],
  ["長谷川", "ハセガワ", "Hasegawa"], ["藤田", "フジタ", "Fujita"], ["後藤", "ゴトウ", "Gotō"], ["近藤", "コンドウ", "Kondō"],
  ["村上", "ムラカミ", "Murakami"], ["遠藤", "エンドウ", "Endō"], ["青木", "アオキ", "Aoki"], ["坂本", "サカモト", "Sakamoto"],
  ["斉藤", "サイトウ", "Saitō"], ["福田", "フクダ", "Fukuda"], ["太田", "オオタ", "Ōta"], ["西村", "ニシムラ", "Nishimura"],
  ["藤井", "フジイ", "Fujii"], ["金子", "カネコ", "Kaneko"], ["岡本", "オカモト", "Okamoto"], ["藤原", "フジワラ", "Fujiwara"],
  ["中野", "ナカノ", "Nakano"], ["三浦", "ミウラ", "Miura"], ["原田", "ハラダ", "Harada"], ["中川", "ナカガワ", "Nakagawa"],
  ["松田", "マツダ", "Matsuda"], ["竹内", "タケウチ", "Takeuchi"], ["小野", "オノ", "Ono"], ["田村", "タムラ", "Tamura"],
  ["中山", "ナカヤマ", "Nakayama"], ["和田", "ワダ", "Wada"], ["石田", "イシダ", "Ishida"], ["森田", "モリタ", "Morita"],
  ["上田", "ウエダ", "Ueda"], ["原", "ハラ", "Hara"], ["内田", "ウチダ", "Uchida"], ["柴田", "シバタ", "Shibata"],
  ["酒井", "サカイ", "Sakai"], ["宮崎", "ミヤザキ", "Miyazaki"], ["横山", "ヨコヤマ", "Yokoyama"], ["高木", "タカギ", "Takagi"],
  ["安藤", "アンドウ", "Andō"], ["宮本", "ミヤモト", "Miyamoto"], ["大野", "オオノ", "Ōno"], ["小島", "コジマ", "Kojima"],
  ["谷口", "タニグチ", "Taniguchi"], ["今井", "イマイ", "Imai"], ["工藤", "クドウ", "Kudō"], ["高田", "タカダ", "Takada"],
  ["増田", "マスダ", "Masuda"], ["丸山", "マルヤマ", "Maruyama"], ["杉山", "スギヤマ", "Sugiyama"], ["村田", "ムラタ", "Murata"],
  ["大塚", "オオツカ", "Ōtsuka"], ["新井", "アライ", "Arai"], ["小山", "コヤマ", "Koyama"], ["平野", "ヒラノ", "Hirano"],
  ["藤本", "フジモト", "Fujimoto"], ["河野", "コウノ", "Kōno"], ["上野", "ウエノ", "Ueno"], ["野口", "ノグチ", "Noguchi"],
  ["武田", "タケダ", "Takeda"], ["松井", "マツイ", "Matsui"], ["千葉", "チバ", "Chiba"], ["岩崎", "イワサキ", "Iwasaki"],
  ["菅原", "スガワラ", "Sugawara"], ["木下", "キノシタ", "Kinoshita"], ["久保", "クボ", "Kubo"], ["佐野", "サノ", "Sano"],
  ["野村", "ノムラ", "Nomura"], ["松尾", "マツオ", "Matsuo"], ["市川", "イチカワ", "Ichikawa"], ["菊地", "キクチ", "Kikuchi"],
  ["杉本", "スギモト", "Sugimoto"], ["古川", "フルカワ", "Furukawa"], ["大西", "オオニシ", "Ōnishi"], ["島田", "シマダ", "Shimada"],
  ["水野", "ミズノ", "Mizuno"], ["桜井", "サクライ", "Sakurai"], ["高野", "タカノ", "Takano"], ["渡部", "ワタナベ", "Watanabe"],
  ["吉川", "ヨシカワ", "Yoshikawa"], ["山内", "ヤマウチ", "Yamauchi"], ["西田", "ニシダ", "Nishida"], ["飯田", "イイダ", "Iida"],
  ["菊池", "キクチ", "Kikuchi"], ["浜田", "ハマダ", "Hamada"], ["沢田", "サワダ", "Sawada"], ["広瀬", "ヒロセ", "Hirose"],
  ["大沢", "オオサワ", "Ōsawa"], ["国分", "コクブン", "Kokubun"], ["東", "アズマ", "Azuma"], ["関", "セキ", "Seki"],
];

/** Surnames registered in a variant form, with the everyday form systems fold them to. */
export const VARIANT_SURNAMES: readonly VariantSurname[] = [
  ["髙橋", "タカハシ", "Takahashi", "高橋"], ["齋藤", "サイトウ", "Saitō", "斎藤"], ["齊藤", "サイトウ", "Saitō", "斉藤"],
  ["渡邊", "ワタナベ", "Watanabe", "渡辺"], ["渡邉", "ワタナベ", "Watanabe", "渡辺"], ["山﨑", "ヤマザキ", "Yamazaki", "山崎"],
  ["𠮷田", "ヨシダ", "Yoshida", "吉田"], ["濱田", "ハマダ", "Hamada", "浜田"], ["澤田", "サワダ", "Sawada", "沢田"],
  ["廣瀬", "ヒロセ", "Hirose", "広瀬"], ["髙木", "タカギ", "Takagi", "高木"], ["宮﨑", "ミヤザキ", "Miyazaki", "宮崎"],
  ["櫻井", "サクライ", "Sakurai", "桜井"], ["中嶋", "ナカジマ", "Nakajima", "中島"], ["大澤", "オオサワ", "Ōsawa", "大沢"],
  ["國分", "コクブン", "Kokubun", "国分"], ["邊見", "ヘンミ", "Henmi", "辺見"], ["髙田", "タカダ", "Takada", "高田"],
];

export const MALE_GIVEN: readonly NameEntry[] = [
  ["太郎", "タロウ", "Tarō"], ["一郎", "イチロウ", "Ichirō"], ["健太", "ケンタ", "Kenta"], ["翔太", "ショウタ", "Shōta"],
  ["大輔", "ダイスケ", "Daisuke"], ["拓也", "タクヤ", "Takuya"], ["直樹", "ナオキ", "Naoki"], ["和也", "カズヤ", "Kazuya"],
  ["達也", "タツヤ", "Tatsuya"], ["健一", "ケンイチ", "Kenichi"], ["誠", "マコト", "Makoto"], ["浩", "ヒロシ", "Hiroshi"],
  ["隆", "タカシ", "Takashi"], ["学", "マナブ", "Manabu"], ["亮", "リョウ", "Ryō"], ["翔", "ショウ", "Shō"],
  ["蓮", "レン", "Ren"], ["大翔", "ヒロト", "Hiroto"], ["悠真", "ユウマ", "Yūma"], ["陽翔", "ハルト", "Haruto"],
  ["湊", "ミナト", "Minato"], ["樹", "イツキ", "Itsuki"], ["颯太", "ソウタ", "Sōta"], ["健", "ケン", "Ken"],
  ["修", "オサム", "Osamu"], ["茂", "シゲル", "Shigeru"], ["博", "ヒロシ", "Hiroshi"], ["勇気", "ユウキ", "Yūki"],
  ["雄一", "ユウイチ", "Yūichi"], ["康介", "コウスケ", "Kōsuke"], ["裕太", "ユウタ", "Yūta"], ["翼", "ツバサ", "Tsubasa"],
  ["俊介", "シュンスケ", "Shunsuke"], ["智也", "トモヤ", "Tomoya"], ["雅人", "マサト", "Masato"], ["剛", "ツヨシ", "Tsuyoshi"],
  ["秀樹", "ヒデキ", "Hideki"], ["正樹", "マサキ", "Masaki"], ["哲也", "テツヤ", "Tetsuya"], ["聡", "サトシ", "Satoshi"],
  ["大樹", "ダイキ", "Daiki"], ["悠斗", "ユウト", "Yūto"], ["拓海", "タクミ", "Takumi"], ["慎太郎", "シンタロウ", "Shintarō"],
  ["龍之介", "リュウノスケ", "Ryūnosuke"], ["昭", "アキラ", "Akira"], ["幸一", "コウイチ", "Kōichi"], ["和夫", "カズオ", "Kazuo"],
  ["清", "キヨシ", "Kiyoshi"], ["進", "ススム", "Susumu"], ["徹", "トオル", "Tōru"], ["純一", "ジュンイチ", "Junichi"],
  ["德久", "ノリヒサ", "Norihisa"], ["眞一", "シンイチ", "Shinichi"],
];

export const FEMALE_GIVEN: readonly NameEntry[] = [
  ["花子", "ハナコ", "Hanako"], ["陽子", "ヨウコ", "Yōko"], ["恵子", "ケイコ", "Keiko"], ["裕子", "ユウコ", "Yūko"],
  ["直美", "ナオミ", "Naomi"], ["由美", "ユミ", "Yumi"], ["真由美", "マユミ", "Mayumi"], ["明美", "アケミ", "Akemi"],
  ["美穂", "ミホ", "Miho"], ["愛", "アイ", "Ai"], ["彩", "アヤ", "Aya"], ["舞", "マイ", "Mai"],
  ["沙織", "サオリ", "Saori"], ["香織", "カオリ", "Kaori"], ["恵", "メグミ", "Megumi"], ["智子", "トモコ", "Tomoko"],
  ["久美子", "クミコ", "Kumiko"], ["美咲", "ミサキ", "Misaki"], ["陽菜", "ヒナ", "Hina"], ["結衣", "ユイ", "Yui"],
  ["葵", "アオイ", "Aoi"], ["凛", "リン", "Rin"], ["結菜", "ユイナ", "Yuina"], ["さくら", "サクラ", "Sakura"],
  ["芽依", "メイ", "Mei"], ["莉子", "リコ", "Riko"], ["美羽", "ミウ", "Miu"], ["七海", "ナナミ", "Nanami"],
  ["千尋", "チヒロ", "Chihiro"], ["優子", "ユウコ", "Yūko"], ["幸子", "サチコ", "Sachiko"], ["和子", "カズコ", "Kazuko"],
  ["洋子", "ヨウコ", "Yōko"], ["京子", "キョウコ", "Kyōko"], ["順子", "ジュンコ", "Junko"], ["由紀", "ユキ", "Yuki"],
  ["真理", "マリ", "Mari"], ["奈々", "ナナ", "Nana"], ["早紀", "サキ", "Saki"], ["菜々子", "ナナコ", "Nanako"],
  ["絵美", "エミ", "Emi"], ["理恵", "リエ", "Rie"], ["亜希子", "アキコ", "Akiko"], ["美香", "ミカ", "Mika"],
  ["紀子", "ノリコ", "Noriko"], ["悦子", "エツコ", "Etsuko"], ["詩織", "シオリ", "Shiori"], ["麻衣", "マイ", "Mai"],
  ["惠美", "エミ", "Emi"], ["眞理子", "マリコ", "Mariko"],
];

/**
 * Variant kanji (異体字, 旧字体) and the everyday form many systems store instead. Used to fold names
 * the way an exchange whose system cannot hold the registered form would.
 */
export const KANJI_VARIANTS: Readonly<Record<string, string>> = {
  "髙": "高", "齋": "斎", "齊": "斉", "邊": "辺", "邉": "辺", "﨑": "崎", "𠮷": "吉", "濱": "浜", "澤": "沢",
  "廣": "広", "櫻": "桜", "嶋": "島", "國": "国", "德": "徳", "眞": "真", "惠": "恵",
};

/** Fold every variant kanji in `s` to its everyday form. */
export function foldVariants(s: string): string {
  let out = "";
  for (const ch of s) out += KANJI_VARIANTS[ch] ?? ch;
  return out;
}
