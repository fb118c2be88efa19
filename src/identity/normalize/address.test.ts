// Addresses of public places (prefectural offices, city halls, stations, landmarks) written the ways
// people write them. Expected values are read off Japan Post's naming (municipality with county or
// designated-city ward; town without chome) and the official addresses of those places.
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkPostalCode, normalizeAddressLine, parseAddress, type AddressParts } from "./address.ts";
import { placeKey } from "./address-data.ts";

type Row = [input: string, prefecture: string | null, city: string | null, town: string | null, chome: number | null, block: string | null, building: string | null];

// Prefectural offices (one per prefecture) and city halls.
const OFFICES: Row[] = [
  ["北海道札幌市中央区北3条西6丁目", "北海道", "札幌市中央区", "北三条西", 6, null, null],
  ["青森県青森市長島1-1-1", "青森県", "青森市", "長島", 1, "1-1", null],
  ["岩手県盛岡市内丸10-1", "岩手県", "盛岡市", "内丸", null, "10-1", null],
  ["宮城県仙台市青葉区本町3-8-1", "宮城県", "仙台市青葉区", "本町", 3, "8-1", null],
  ["秋田県秋田市山王4-1-1", "秋田県", "秋田市", "山王", 4, "1-1", null],
  ["山形県山形市松波2-8-1", "山形県", "山形市", "松波", 2, "8-1", null],
  ["福島県福島市杉妻町2-16", "福島県", "福島市", "杉妻町", null, "2-16", null],
  ["茨城県水戸市笠原町978-6", "茨城県", "水戸市", "笠原町", null, "978-6", null],
  ["栃木県宇都宮市塙田1-1-20", "栃木県", "宇都宮市", "塙田", 1, "1-20", null],
  ["群馬県前橋市大手町1-1-1", "群馬県", "前橋市", "大手町", 1, "1-1", null],
  ["埼玉県さいたま市浦和区高砂3-15-1", "埼玉県", "さいたま市浦和区", "高砂", 3, "15-1", null],
  ["千葉県千葉市中央区市場町1-1", "千葉県", "千葉市中央区", "市場町", null, "1-1", null],
  ["東京都新宿区西新宿2-8-1", "東京都", "新宿区", "西新宿", 2, "8-1", null],
  ["神奈川県横浜市中区日本大通1", "神奈川県", "横浜市中区", "日本大通", null, "1", null],
  ["新潟県新潟市中央区新光町4-1", "新潟県", "新潟市中央区", "新光町", null, "4-1", null],
  ["富山県富山市新総曲輪1-7", "富山県", "富山市", "新総曲輪", null, "1-7", null],
  ["石川県金沢市鞍月1-1", "石川県", "金沢市", "鞍月", null, "1-1", null],
  ["福井県福井市大手3-17-1", "福井県", "福井市", "大手", 3, "17-1", null],
  ["山梨県甲府市丸の内1-6-1", "山梨県", "甲府市", "丸の内", 1, "6-1", null],
  ["長野県長野市大字南長野字幅下692-2", "長野県", "長野市", "南長野", null, "692-2", "字幅下"],
  ["岐阜県岐阜市薮田南2-1-1", "岐阜県", "岐阜市", "薮田南", 2, "1-1", null],
  ["静岡県静岡市葵区追手町9-6", "静岡県", "静岡市葵区", "追手町", null, "9-6", null],
  ["愛知県名古屋市中区三の丸3-1-2", "愛知県", "名古屋市中区", "三の丸", 3, "1-2", null],
  ["三重県津市広明町13", "三重県", "津市", "広明町", null, "13", null],
  ["滋賀県大津市京町4-1-1", "滋賀県", "大津市", "京町", 4, "1-1", null],
  ["京都府京都市上京区下立売通新町西入薮ノ内町", "京都府", "京都市上京区", "藪之内町", null, null, "下立売通新町西入"],
  ["大阪府大阪市中央区大手前2丁目1-22", "大阪府", "大阪市中央区", "大手前", 2, "1-22", null],
  ["兵庫県神戸市中央区下山手通5-10-1", "兵庫県", "神戸市中央区", "下山手通", 5, "10-1", null],
  ["奈良県奈良市登大路町30", "奈良県", "奈良市", "登大路町", null, "30", null],
  ["和歌山県和歌山市小松原通1丁目1番地", "和歌山県", "和歌山市", "小松原通", 1, "1", null],
  ["鳥取県鳥取市東町1丁目220", "鳥取県", "鳥取市", "東町", 1, "220", null],
  ["島根県松江市殿町1", "島根県", "松江市", "殿町", null, "1", null],
  ["岡山県岡山市北区内山下2-4-6", "岡山県", "岡山市北区", "内山下", 2, "4-6", null],
  ["広島県広島市中区基町10-52", "広島県", "広島市中区", "基町", null, "10-52", null],
  ["山口県山口市滝町1-1", "山口県", "山口市", "滝町", null, "1-1", null],
  ["徳島県徳島市万代町1-1", "徳島県", "徳島市", "万代町", null, "1-1", null],
  ["香川県高松市番町4-1-10", "香川県", "高松市", "番町", 4, "1-10", null],
  ["愛媛県松山市一番町4-4-2", "愛媛県", "松山市", "一番町", 4, "4-2", null],
  ["高知県高知市丸ノ内1-2-20", "高知県", "高知市", "丸ノ内", 1, "2-20", null],
  ["福岡県福岡市博多区東公園7-7", "福岡県", "福岡市博多区", "東公園", null, "7-7", null],
  ["佐賀県佐賀市城内1-1-59", "佐賀県", "佐賀市", "城内", 1, "1-59", null],
  ["長崎県長崎市尾上町3-1", "長崎県", "長崎市", "尾上町", null, "3-1", null],
  ["熊本県熊本市中央区水前寺6-18-1", "熊本県", "熊本市中央区", "水前寺", 6, "18-1", null],
  ["大分県大分市大手町3-1-1", "大分県", "大分市", "大手町", 3, "1-1", null],
  ["宮崎県宮崎市橘通東2-10-1", "宮崎県", "宮崎市", "橘通東", 2, "10-1", null],
  ["鹿児島県鹿児島市鴨池新町10-1", "鹿児島県", "鹿児島市", "鴨池新町", null, "10-1", null],
  ["沖縄県那覇市泉崎1-2-2", "沖縄県", "那覇市", "泉崎", 1, "2-2", null],
  // City halls.
  ["大阪府大阪市北区中之島1-3-20", "大阪府", "大阪市北区", "中之島", 1, "3-20", null],
  ["大阪府大阪市鶴見区横堤5-4-19", "大阪府", "大阪市鶴見区", "横堤", 5, "4-19", null],
  ["神奈川県横浜市中区本町6-50-10", "神奈川県", "横浜市中区", "本町", 6, "50-10", null],
  ["福岡県福岡市中央区天神1-8-1", "福岡県", "福岡市中央区", "天神", 1, "8-1", null],
  ["宮城県仙台市青葉区国分町3-7-1", "宮城県", "仙台市青葉区", "国分町", 3, "7-1", null],
  ["広島県広島市中区国泰寺町1-6-34", "広島県", "広島市中区", "国泰寺町", 1, "6-34", null],
  ["兵庫県神戸市中央区加納町6-5-1", "兵庫県", "神戸市中央区", "加納町", 6, "5-1", null],
  ["埼玉県さいたま市浦和区常盤6-4-4", "埼玉県", "さいたま市浦和区", "常盤", 6, "4-4", null],
  ["千葉県千葉市中央区千葉港1-1", "千葉県", "千葉市中央区", "千葉港", null, "1-1", null],
  ["岡山県岡山市北区大供1-1-1", "岡山県", "岡山市北区", "大供", 1, "1-1", null],
  ["熊本県熊本市中央区手取本町1-1", "熊本県", "熊本市中央区", "手取本町", null, "1-1", null],
  ["大阪府堺市堺区南瓦町3-1", "大阪府", "堺市堺区", "南瓦町", null, "3-1", null],
  ["福岡県北九州市小倉北区城内1-1", "福岡県", "北九州市小倉北区", "城内", null, "1-1", null],
  ["静岡県浜松市中央区元城町103-2", "静岡県", "浜松市中央区", "元城町", null, "103-2", null],
  ["石川県金沢市広坂1-1-1", "石川県", "金沢市", "広坂", 1, "1-1", null],
  ["鹿児島県鹿児島市山下町11-1", "鹿児島県", "鹿児島市", "山下町", null, "11-1", null],
  ["東京都府中市宮西町2-24", "東京都", "府中市", "宮西町", null, "2-24", null],
  ["北海道札幌市中央区北1条西2丁目", "北海道", "札幌市中央区", "北一条西", 2, null, null],
  ["北海道旭川市6条通9丁目46番地", "北海道", "旭川市", "6条通", 9, "46", null],
  ["新潟県新潟市中央区学校町通1番町602-1", "新潟県", "新潟市中央区", "学校町通", 1, "602-1", null],
  ["京都府京都市中京区寺町通御池上る上本能寺前町488番地", "京都府", "京都市中京区", "上本能寺前町", null, "488", "寺町通御池上る"],
  // Towns and villages (郡), with 大字 / 字.
  ["群馬県北群馬郡榛東村大字新井790-1", "群馬県", "北群馬郡榛東村", "新井", null, "790-1", null],
  ["長野県北佐久郡軽井沢町大字長倉2381番地1", "長野県", "北佐久郡軽井沢町", "長倉", null, "2381-1", null],
  ["北海道虻田郡倶知安町北1条東3丁目3番地", "北海道", "虻田郡倶知安町", "北一条東", 3, "3", null],
  ["神奈川県足柄下郡箱根町湯本256", "神奈川県", "足柄下郡箱根町", "湯本", null, "256", null],
  ["東京都小笠原村父島字西町", "東京都", "小笠原村", "父島", null, null, "字西町"],
  // Japan Post writes the 大字 and 字 of 保原町字舟橋 as one town, 保原町舟橋.
  ["福島県伊達市保原町字舟橋180番地", "福島県", "伊達市", "保原町舟橋", null, "180", null],
];

// Stations and landmarks.
const PLACES: Row[] = [
  ["東京都千代田区丸の内1丁目9-1", "東京都", "千代田区", "丸の内", 1, "9-1", null],
  ["大阪府大阪市北区梅田3-1-1", "大阪府", "大阪市北区", "梅田", 3, "1-1", null],
  ["京都府京都市下京区烏丸通塩小路下ル東塩小路町721-1", "京都府", "京都市下京区", "東塩小路町", null, "721-1", "烏丸通塩小路下ル"],
  ["愛知県名古屋市中村区名駅1-1-4", "愛知県", "名古屋市中村区", "名駅", 1, "1-4", null],
  ["福岡県福岡市博多区博多駅中央街1-1", "福岡県", "福岡市博多区", "博多駅中央街", null, "1-1", null],
  ["北海道札幌市北区北6条西4丁目", "北海道", "札幌市北区", "北六条西", 4, null, null],
  ["東京都墨田区押上1-1-2", "東京都", "墨田区", "押上", 1, "1-2", null],
  ["東京都港区芝公園4-2-8", "東京都", "港区", "芝公園", 4, "2-8", null],
  ["東京都千代田区永田町1-7-1", "東京都", "千代田区", "永田町", 1, "7-1", null],
  ["東京都千代田区千代田1-1", "東京都", "千代田区", "千代田", null, "1-1", null],
  ["京都府京都市東山区清水1丁目294", "京都府", "京都市東山区", "清水", 1, "294", null],
  ["広島県廿日市市宮島町1-1", "広島県", "廿日市市", "宮島町", null, "1-1", null],
  ["奈良県奈良市雑司町406-1", "奈良県", "奈良市", "雑司町", null, "406-1", null],
];

// The same places written the tricky ways.
const VARIANTS: Row[] = [
  // Full width, spaces of any width, kanji numerals, 丁目・番地・号 and every hyphen form.
  ["東京都千代田区霞が関１－３－１", "東京都", "千代田区", "霞が関", 1, "3-1", null],
  ["東京都　千代田区　永田町　１－７－１", "東京都", "千代田区", "永田町", 1, "7-1", null],
  ["東京都 千代田区 永田町 1-7-1", "東京都", "千代田区", "永田町", 1, "7-1", null],
  ["東京都千代田区永田町一丁目七番一号", "東京都", "千代田区", "永田町", 1, "7-1", null],
  ["大阪府大阪市北区梅田３丁目１番１号", "大阪府", "大阪市北区", "梅田", 3, "1-1", null],
  ["東京都港区芝公園4ー2ー8", "東京都", "港区", "芝公園", 4, "2-8", null],
  ["東京都港区芝公園4−2−8", "東京都", "港区", "芝公園", 4, "2-8", null],
  ["東京都港区芝公園4‐2‐8", "東京都", "港区", "芝公園", 4, "2-8", null],
  ["東京都港区芝公園4ｰ2ｰ8", "東京都", "港区", "芝公園", 4, "2-8", null],
  ["東京都港区芝公園四丁目二番八号", "東京都", "港区", "芝公園", 4, "2-8", null],
  ["和歌山県和歌山市小松原通一丁目一番地", "和歌山県", "和歌山市", "小松原通", 1, "1", null],
  ["群馬県北群馬郡榛東村大字新井790番地の1", "群馬県", "北群馬郡榛東村", "新井", null, "790-1", null],
  ["群馬県北群馬郡榛東村大字新井七九〇番地の一", "群馬県", "北群馬郡榛東村", "新井", null, "790-1", null],
  ["群馬県北群馬郡榛東村新井790ノ1", "群馬県", "北群馬郡榛東村", "新井", null, "790-1", null],
  // 霞ヶ関 / 霞ケ関 written for Japan Post's 霞が関.
  ["東京都千代田区霞ヶ関1-3-1", "東京都", "千代田区", "霞が関", 1, "3-1", null],
  ["東京都千代田区霞ケ関3丁目2番1号", "東京都", "千代田区", "霞が関", 3, "2-1", null],
  // Postal code first; building and room kept after the block.
  ["〒100-0013 東京都千代田区霞が関3丁目2番1号 中央合同庁舎第7号館", "東京都", "千代田区", "霞が関", 3, "2-1", "中央合同庁舎第7号館"],
  ["〒163-8001 東京都新宿区西新宿2-8-1 都庁第一本庁舎 38階", "東京都", "新宿区", "西新宿", 2, "8-1", "都庁第一本庁舎 38階"],
  ["１００－０００５　東京都千代田区丸の内１丁目９－１", "東京都", "千代田区", "丸の内", 1, "9-1", null],
  ["東京都千代田区丸の内1-9-1-101", "東京都", "千代田区", "丸の内", 1, "9-1", "101"],
  ["東京都千代田区丸の内1-9-1 グラントウキョウノースタワー 1201号室", "東京都", "千代田区", "丸の内", 1, "9-1", "グラントウキョウノースタワー 1201号室"],
  // Prefecture omitted: inferred from the municipality, or from the town when two share a name.
  ["大阪市鶴見区横堤5-4-19", "大阪府", "大阪市鶴見区", "横堤", 5, "4-19", null],
  ["府中市宮西町2-24", "東京都", "府中市", "宮西町", null, "2-24", null],
  ["千代田区霞が関1-3-1", "東京都", "千代田区", "霞が関", 1, "3-1", null],
  ["札幌市中央区北1条西2丁目", "北海道", "札幌市中央区", "北一条西", 2, null, null],
  ["京都市中京区寺町通御池上る上本能寺前町488", "京都府", "京都市中京区", "上本能寺前町", null, "488", "寺町通御池上る"],
  // County omitted; ward omitted (inferred from the town).
  ["群馬県榛東村新井790-1", "群馬県", "北群馬郡榛東村", "新井", null, "790-1", null],
  ["長野県軽井沢町長倉2381-1", "長野県", "北佐久郡軽井沢町", "長倉", null, "2381-1", null],
  ["大阪府大阪市中之島1-3-20", "大阪府", "大阪市北区", "中之島", 1, "3-20", null],
  ["大阪市梅田3-1-1", "大阪府", "大阪市北区", "梅田", 3, "1-1", null],
  // Hokkaido 条 in kanji or digits.
  ["北海道札幌市中央区北三条西六丁目", "北海道", "札幌市中央区", "北三条西", 6, null, null],
  ["北海道札幌市北区北六条西四丁目", "北海道", "札幌市北区", "北六条西", 4, null, null],
  // Kyoto directions with no town after them: the directions go to building, town unknown.
  ["京都府京都市上京区今出川通烏丸東入", "京都府", "京都市上京区", null, null, null, "今出川通烏丸東入"],
  // Variant kanji in the municipality.
  ["茨城県龍ケ崎市3710", "茨城県", "龍ケ崎市", null, null, "3710", null],
  ["茨城県竜ヶ崎市3710", "茨城県", "龍ケ崎市", null, null, "3710", null],
  // A municipality that does not exist: nothing is invented, nothing is lost.
  ["東京都存在しない市1-1", "東京都", null, null, null, null, "存在しない市1-1"],
];

const ALL: Row[] = [...OFFICES, ...PLACES, ...VARIANTS];

function expected(row: Row): AddressParts {
  const [input, prefecture, city, town, chome, block, building] = row;
  return { input, prefecture, city, town, chome, block, building };
}

test("every address of the public-place set parses to the expected parts", () => {
  const failures: string[] = [];
  for (const row of ALL) {
    const got = normalizeAddressLine(row[0]);
    const want = expected(row);
    try {
      assert.deepEqual(got, want);
    } catch {
      failures.push(`${row[0]}\n   got  ${JSON.stringify(got)}\n   want ${JSON.stringify(want)}`);
    }
  }
  const accuracy = (ALL.length - failures.length) / ALL.length;
  assert.equal(failures.length, 0, `address parse accuracy ${(accuracy * 100).toFixed(1)}% on ${ALL.length}:\n${failures.join("\n")}`);
});

test("the output has exactly the contract's keys, in order", () => {
  const got = normalizeAddressLine("東京都千代田区霞が関1-3-1");
  assert.deepEqual(Object.keys(got), ["input", "prefecture", "city", "town", "chome", "block", "building"]);
  assert.equal(typeof got.chome, "number");
});

test("the detailed parse says what was inferred and what was verified", () => {
  const a = parseAddress("大阪市鶴見区横堤5-4-19");
  assert.equal(a.prefectureInferred, true);
  assert.equal(a.cityCode, "27124");
  assert.equal(a.townVerified, true);
  const b = parseAddress("東京都千代田区存在町1-2-3");
  assert.equal(b.town, "存在町", "a town missing from Japan Post's list is kept as written");
  assert.equal(b.townVerified, false);
  const c = parseAddress("〒100-0013 東京都千代田区霞が関3-2-1 中央合同庁舎第7号館 12階");
  assert.equal(c.postalCode, "1000013");
  assert.equal(c.buildingName, "中央合同庁舎第7号館");
  assert.equal(c.room, "12階");
  const k = parseAddress("京都府京都市中京区寺町通御池上る上本能寺前町488");
  assert.equal(k.street, "寺町通御池上る");
  assert.equal(k.koaza, null);
});

test("a municipality name shared by two prefectures stays without prefecture when nothing decides", () => {
  const p = parseAddress("府中市");
  assert.equal(p.city, "府中市");
  assert.equal(p.prefecture, null);
  // The postal code decides.
  const q = parseAddress("〒726-0000 府中市");
  assert.equal(q.prefecture, "広島県");
});

test("an empty line is bad input with a path", () => {
  assert.throws(() => normalizeAddressLine("   "), /address: expected an address/);
});

test("checkPostalCode agrees with the code's own municipality and town", () => {
  const ok = checkPostalCode("100-0013", parseAddress("東京都千代田区霞が関3-2-1"));
  assert.equal(ok.known, true);
  assert.equal(ok.ok, true);
  assert.deepEqual(ok.expected, [{ prefecture: "東京都", city: "千代田区", town: "霞が関" }]);

  const wrongTown = checkPostalCode("〒100-0014", parseAddress("東京都千代田区霞が関3-2-1"));
  assert.equal(wrongTown.city, true);
  assert.equal(wrongTown.town, false);
  assert.equal(wrongTown.ok, false);

  const wrongCity = checkPostalCode("５３０－０００５", parseAddress("東京都千代田区霞が関3-2-1"));
  assert.equal(wrongCity.prefecture, false);
  assert.equal(wrongCity.city, false);

  // A designated city written without its ward agrees with any of its wards.
  const designated = checkPostalCode("530-0005", { prefecture: "大阪府", city: "大阪市", town: "中之島" });
  assert.equal(designated.ok, true);

  // A code covering a whole 5-digit block (廿日市市宮島町, 739-05xx).
  const block = checkPostalCode("739-0588", parseAddress("広島県廿日市市宮島町1-1"));
  assert.equal(block.known, true);
  assert.equal(block.ok, true);

  const unknown = checkPostalCode("000-0000", parseAddress("東京都千代田区霞が関3-2-1"));
  assert.equal(unknown.known, false);
  assert.equal(unknown.ok, false);
  assert.equal(checkPostalCode("12-345", parseAddress("東京都千代田区霞が関3-2-1")).postalCode, null);
});

test("placeKey folds the spellings of one place name together and keeps different ones apart", () => {
  assert.equal(placeKey("霞ヶ関"), placeKey("霞が関"));
  assert.equal(placeKey("霞ケ関"), placeKey("霞が関"));
  assert.equal(placeKey("一ノ沢"), placeKey("一の沢"));
  assert.equal(placeKey("北一条西"), placeKey("北1条西"));
  assert.equal(placeKey("竜ヶ崎市"), placeKey("龍ケ崎市"));
  assert.notEqual(placeKey("北一条西"), placeKey("北二条西"));
  assert.notEqual(placeKey("大阪市北区"), placeKey("大阪市西区"));
});

test("parsing is fast enough for batch normalisation", () => {
  normalizeAddressLine("東京都千代田区霞が関1-3-1");
  const t0 = performance.now();
  const n = 2000;
  for (let i = 0; i < n; i++) normalizeAddressLine(ALL[i % ALL.length]?.[0] ?? "");
  const perSecond = n / ((performance.now() - t0) / 1000);
  assert.ok(perSecond > 1000, `${perSecond.toFixed(0)} addresses/s`);
});

test("any non-empty line parses without throwing, and nothing is invented", async () => {
  const fc = (await import("fast-check")).default;
  const pieces = ["東京都", "千代田区", "霞が関", "1", "-", "丁目", "番地", "の", "号", "京都市", "上る", "字", "大字", " ", "ー", "〒", "100-0001", "ビル", "a", "\u3000", "十", "三"];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 12 }), (parts) => {
      const line = parts.join("");
      if (line.trim() === "") return;
      const p = normalizeAddressLine(line);
      assert.equal(p.input, line);
      assert.ok(p.chome === null || (Number.isInteger(p.chome) && p.chome >= 0));
      assert.ok(p.block === null || /^[0-9]+(-[0-9]+)*$/.test(p.block), p.block ?? "");
      if (p.city !== null) assert.ok(p.prefecture === null || typeof p.prefecture === "string");
    }),
    { numRuns: 300 },
  );
});
