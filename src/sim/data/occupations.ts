// Occupations as Japanese KYC forms list them, with a rough share among crypto-exchange customers and
// a median annual income (yen) and log-spread used to draw a person's income. Synthetic calibration.

export interface Occupation {
  label: string;
  weight: number;
  incomeMedian: number;
  sigma: number;
  minAge: number;
  maxAge: number;
}

export const OCCUPATIONS: readonly Occupation[] = [
  { label: "会社員", weight: 42, incomeMedian: 4_800_000, sigma: 0.35, minAge: 20, maxAge: 65 },
  { label: "公務員", weight: 5, incomeMedian: 5_500_000, sigma: 0.25, minAge: 20, maxAge: 65 },
  { label: "会社役員", weight: 5, incomeMedian: 11_000_000, sigma: 0.6, minAge: 28, maxAge: 80 },
  { label: "自営業", weight: 10, incomeMedian: 4_200_000, sigma: 0.7, minAge: 22, maxAge: 80 },
  { label: "医師", weight: 1.2, incomeMedian: 14_000_000, sigma: 0.35, minAge: 26, maxAge: 75 },
  { label: "弁護士", weight: 0.4, incomeMedian: 11_000_000, sigma: 0.5, minAge: 26, maxAge: 75 },
  { label: "エンジニア", weight: 6, incomeMedian: 6_000_000, sigma: 0.35, minAge: 20, maxAge: 65 },
  { label: "教員", weight: 1.5, incomeMedian: 5_800_000, sigma: 0.2, minAge: 23, maxAge: 65 },
  { label: "看護師", weight: 1.5, incomeMedian: 4_800_000, sigma: 0.2, minAge: 21, maxAge: 65 },
  { label: "パート・アルバイト", weight: 8, incomeMedian: 1_500_000, sigma: 0.45, minAge: 18, maxAge: 75 },
  { label: "学生", weight: 5, incomeMedian: 700_000, sigma: 0.6, minAge: 18, maxAge: 26 },
  { label: "主婦・主夫", weight: 4, incomeMedian: 400_000, sigma: 1.0, minAge: 24, maxAge: 75 },
  { label: "年金受給者", weight: 3, incomeMedian: 2_400_000, sigma: 0.35, minAge: 65, maxAge: 90 },
  { label: "無職", weight: 2.4, incomeMedian: 300_000, sigma: 1.1, minAge: 20, maxAge: 85 },
];

/** Why the customer says they opened the account (取引目的). */
export const PURPOSES: readonly string[] = ["資産運用", "長期投資", "短期売買", "分散投資", "決済", "送金", "投機"];
export const CORPORATE_PURPOSES: readonly string[] = ["資産運用", "財務運用", "決済", "事業上の送金", "自己勘定取引"];

/** Income bands exchanges ask for (lower bounds, yen). */
export const INCOME_BANDS: readonly number[] = [0, 1_000_000, 3_000_000, 5_000_000, 7_000_000, 10_000_000, 15_000_000, 20_000_000, 30_000_000, 50_000_000];

/** Industries for corporate KYC (the `occupation` field of a corporate record). */
export const INDUSTRIES: readonly string[] = ["卸売業", "小売業", "情報通信業", "不動産業", "建設業", "製造業", "金融業", "投資業", "飲食サービス業", "運輸業"];
