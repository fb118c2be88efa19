// The simulated markets: three majors (BTC, ETH, XRP against JPY) and four thin ones (XEM, MONA and two
// tiny tokens). Prices, volatilities, 24h volumes and order-book depths are synthetic, chosen at the
// order of magnitude of Japanese venues so that "5% of 24h volume" and "half the depth within 1% of
// mid" mean what they would mean there: a few BTC on a major book, a few hundred thousand yen of a
// thin coin.

export interface VenueLiquidity {
  /** Typical 24h traded volume, base-asset quantity. */
  volume24h: number;
  /** Typical resting quantity within 1% of mid on each side, base-asset quantity. */
  depth1pct: number;
}

export interface MarketDef {
  asset: string;
  market: string;
  tier: "major" | "thin";
  /** Starting mid price, JPY. */
  price: number;
  /** Daily volatility of log price. */
  dailyVol: number;
  /** Decimal places of quantities and of prices. */
  qtyDp: number;
  pxDp: number;
  /** Half the bid–ask spread as a fraction of mid. */
  halfSpread: number;
  /** Relative share of retail orders. */
  popularity: number;
  /** Chain the asset moves on, and how its addresses look. */
  network: string;
  addressKind: "bech32" | "evm" | "xrpl" | "nem" | "base58m";
  venues: Readonly<Record<string, VenueLiquidity>>;
}

const v = (volume24h: number, depth1pct: number): VenueLiquidity => ({ volume24h, depth1pct });

export const MARKETS: readonly MarketDef[] = [
  {
    asset: "BTC", market: "BTC/JPY", tier: "major", price: 15_600_000, dailyVol: 0.025, qtyDp: 8, pxDp: 0, halfSpread: 0.0004, popularity: 45,
    network: "bitcoin", addressKind: "bech32",
    venues: { bitflyer: v(2_000, 30), coincheck: v(900, 14), bitbank: v(700, 12), "gmo-coin": v(1_000, 16), "sbi-vc": v(400, 10) },
  },
  {
    asset: "ETH", market: "ETH/JPY", tier: "major", price: 560_000, dailyVol: 0.035, qtyDp: 8, pxDp: 0, halfSpread: 0.0006, popularity: 18,
    network: "ethereum", addressKind: "evm",
    venues: { bitflyer: v(12_000, 260), coincheck: v(6_000, 130), bitbank: v(9_000, 170), "gmo-coin": v(7_000, 140), "sbi-vc": v(3_000, 80) },
  },
  {
    asset: "XRP", market: "XRP/JPY", tier: "major", price: 340, dailyVol: 0.045, qtyDp: 6, pxDp: 3, halfSpread: 0.0008, popularity: 22,
    network: "xrpl", addressKind: "xrpl",
    venues: { bitflyer: v(45e6, 9e5), coincheck: v(30e6, 7e5), bitbank: v(70e6, 1.2e6), "gmo-coin": v(40e6, 8e5), "sbi-vc": v(55e6, 1.1e6) },
  },
  {
    asset: "XEM", market: "XEM/JPY", tier: "thin", price: 3.2, dailyVol: 0.06, qtyDp: 6, pxDp: 4, halfSpread: 0.003, popularity: 4,
    network: "nem", addressKind: "nem",
    venues: { coincheck: v(9e6, 2.2e5), "gmo-coin": v(4e6, 1.1e5) },
  },
  {
    asset: "MONA", market: "MONA/JPY", tier: "thin", price: 62, dailyVol: 0.06, qtyDp: 8, pxDp: 3, halfSpread: 0.004, popularity: 4,
    network: "monacoin", addressKind: "base58m",
    venues: { bitflyer: v(1.4e5, 4_500), coincheck: v(9e4, 3_000), bitbank: v(2.2e5, 6_500) },
  },
  {
    asset: "FNCT", market: "FNCT/JPY", tier: "thin", price: 0.35, dailyVol: 0.08, qtyDp: 2, pxDp: 4, halfSpread: 0.005, popularity: 4,
    network: "ethereum", addressKind: "evm",
    venues: { coincheck: v(6e7, 1.5e6), bitbank: v(2e7, 6e5) },
  },
  {
    asset: "BRIL", market: "BRIL/JPY", tier: "thin", price: 18, dailyVol: 0.09, qtyDp: 4, pxDp: 3, halfSpread: 0.006, popularity: 3,
    network: "polygon", addressKind: "evm",
    venues: { coincheck: v(3e5, 8_000) },
  },
];

/**
 * Tokens an exchange may announce a new JPY market for: real tickers of the kind Japanese venues have
 * added, none of them traded in the simulation (the announced market opens after the period, so no
 * trading in it is simulated).
 */
export const NEW_TOKENS: readonly string[] = [
  "DOT", "LINK", "MATIC", "SAND", "ENJ", "IOST", "JASMY", "PLT", "ASTR", "SHIB", "DOGE", "AVAX", "APE", "AXS", "IMX", "OAS",
  "FLR", "QTUM", "BAT", "XLM", "LTC", "BCH", "ETC", "ATOM", "ADA", "SOL", "MKR", "DAI", "GALA", "ARB", "OP", "CHZ",
];
