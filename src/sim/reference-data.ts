// Real address labels the research firms publish in the simulation, read at run time from the shared
// data folder (see ../../../shared/data/README.md): OFAC's sanctioned digital-currency addresses
// (0xB10C/ofac-sanctioned-digital-currency-addresses, MIT) and Etherscan-derived phishing / exploit /
// heist labels (forta-network/labelled-datasets, MIT). Nothing is copied into the repository; when the
// folder is missing, a handful of built-in entries (a slice of the same public lists, cited below)
// stands in and the caller is told so.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export type LabelKind = "sanctioned" | "hack" | "scam";

export interface AddressLabelRecord {
  network: string;
  address: string;
  label: LabelKind;
  entityName: string;
  reference: string;
  /** Which firm publishes it. */
  publisher: "sanctions" | "threats";
}

export interface AddressLabelSet {
  labels: AddressLabelRecord[];
  origin: "shared-data" | "built-in";
  notes: string[];
}

const OFAC_REF = "OFAC SDN list, digital currency addresses (via 0xB10C/ofac-sanctioned-digital-currency-addresses, 2024-09-27)";
const FORTA_REF = "Etherscan labels via forta-network/labelled-datasets (labels/1)";

/** OFAC list file suffix → network name used in events. */
const OFAC_NETWORK: Readonly<Record<string, string>> = {
  XBT: "bitcoin", ETH: "ethereum", USDC: "ethereum", LTC: "litecoin", BCH: "bitcoin-cash", XMR: "monero", TRX: "tron",
  XRP: "xrpl", ZEC: "zcash", DASH: "dash", ETC: "ethereum-classic", BSC: "bsc", ARB: "arbitrum", BSV: "bitcoin-sv",
  BTG: "bitcoin-gold", XVG: "verge",
};

/** USDT lives on several chains: tell them apart by address shape. */
function usdtNetwork(address: string): string {
  if (address.startsWith("0x")) return "ethereum";
  if (address.startsWith("T")) return "tron";
  return "bitcoin";
}

/** Split one CSV line (RFC 4180 quoting). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function readOfac(dir: string, notes: string[]): AddressLabelRecord[] {
  const out: AddressLabelRecord[] = [];
  if (!existsSync(dir)) {
    notes.push(`no OFAC folder at ${dir}`);
    return out;
  }
  for (const file of readdirSync(dir).sort()) {
    const m = /^sanctioned_addresses_([A-Z0-9]+)\.json$/.exec(file);
    if (m === null) continue;
    const asset = m[1]!;
    let list: unknown;
    try {
      list = JSON.parse(readFileSync(join(dir, file), "utf8"));
    } catch {
      notes.push(`ofac/${file}: not valid JSON; skipped`);
      continue;
    }
    if (!Array.isArray(list)) {
      notes.push(`ofac/${file}: expected a JSON array of addresses; skipped`);
      continue;
    }
    for (const a of list) {
      if (typeof a !== "string" || a.length === 0 || a.length > 256) continue;
      const network = asset === "USDT" ? usdtNetwork(a) : OFAC_NETWORK[asset] ?? asset.toLowerCase();
      out.push({ network, address: a, label: "sanctioned", entityName: `OFAC SDN (${asset})`, reference: OFAC_REF, publisher: "sanctions" });
    }
  }
  return out;
}

function readForta(dir: string, notes: string[]): AddressLabelRecord[] {
  const out: AddressLabelRecord[] = [];
  const seen = new Set<string>();
  const add = (address: string, label: LabelKind, tag: string, list: string) => {
    const key = address.toLowerCase();
    if (!/^0x[0-9a-f]{40}$/.test(key) || seen.has(key)) return;
    seen.add(key);
    out.push({ network: "ethereum", address, label, entityName: tag.slice(0, 256) || list, reference: `${FORTA_REF}: ${list}`, publisher: "threats" });
  };
  const malicious = join(dir, "etherscan_malicious_labels.csv");
  if (existsSync(malicious)) {
    const lines = readFileSync(malicious, "utf8").split(/\r?\n/);
    for (const line of lines.slice(1)) {
      if (!line) continue;
      const [address, tag, source] = splitCsvLine(line);
      if (!address || !source) continue;
      const label: LabelKind = /exploit|heist/.test(source) ? "hack" : "scam";
      add(address, label, tag ?? "", source);
    }
  } else notes.push(`no ${malicious}`);
  const phishing = join(dir, "phishing_scams.csv");
  if (existsSync(phishing)) {
    const lines = readFileSync(phishing, "utf8").split(/\r?\n/);
    for (const line of lines.slice(1)) {
      if (!line) continue;
      const [address, tag] = splitCsvLine(line);
      if (!address) continue;
      add(address, "scam", tag ?? "", "phishing_scams");
    }
  } else notes.push(`no ${phishing}`);
  return out;
}

/**
 * A few entries of the same public lists, for when the shared data folder is absent. Sources: OFAC
 * SDN list as republished by 0xB10C/ofac-sanctioned-digital-currency-addresses (lists branch,
 * 2024-09-27; MIT) and forta-network/labelled-datasets labels/1 (MIT).
 */
const BUILT_IN: readonly AddressLabelRecord[] = [
  { network: "bitcoin", address: "123WBUDmSJv4GctdVEz6Qq6z8nXSKrJ4KX", label: "sanctioned", entityName: "OFAC SDN (XBT)", reference: OFAC_REF, publisher: "sanctions" },
  { network: "bitcoin", address: "125W5ek3DT6Zqy5S2iPt4FHQdNMCbZA3FU", label: "sanctioned", entityName: "OFAC SDN (XBT)", reference: OFAC_REF, publisher: "sanctions" },
  { network: "bitcoin", address: "1295rkVyNfFpqZpXvKGhDqwhP1jZcNNDMV", label: "sanctioned", entityName: "OFAC SDN (XBT)", reference: OFAC_REF, publisher: "sanctions" },
  { network: "xrpl", address: "rnXyVQzgxZe7TR1EPzTkGj2jxH4LMJYh66", label: "sanctioned", entityName: "OFAC SDN (XRP)", reference: OFAC_REF, publisher: "sanctions" },
  { network: "ethereum", address: "0x175d44451403Edf28469dF03A9280c1197ADb92c", label: "sanctioned", entityName: "OFAC SDN (USDT)", reference: OFAC_REF, publisher: "sanctions" },
  { network: "tron", address: "TEAqwfMhXLaomXhZ8KeMhx3njGmQEDnsUR", label: "sanctioned", entityName: "OFAC SDN (USDT)", reference: OFAC_REF, publisher: "sanctions" },
  { network: "ethereum", address: "0x80d7bb18521acbef32d7906502ebe94928690e93", label: "scam", entityName: "Fake_Phishing1772", reference: `${FORTA_REF}: etherscan-phish-hack-list`, publisher: "threats" },
  { network: "ethereum", address: "0x80e02ae8c5d5e482558caf32004e7d6281445f28", label: "scam", entityName: "Fake_Phishing1863", reference: `${FORTA_REF}: etherscan-phish-hack-list`, publisher: "threats" },
  { network: "ethereum", address: "0x000000000532b45f47779fce440748893b257865", label: "scam", entityName: "Fake_Phishing3901", reference: `${FORTA_REF}: phishing_scams`, publisher: "threats" },
  { network: "ethereum", address: "0x0000000009324b6434d7766af41908e4c49ee1d7", label: "scam", entityName: "Fake_Phishing3857", reference: `${FORTA_REF}: phishing_scams`, publisher: "threats" },
];

/** Read the labels from `dataDir` (its ofac/ and forta/ folders), or fall back to the built-in slice. */
export function loadAddressLabels(dataDir: string): AddressLabelSet {
  const notes: string[] = [];
  if (!existsSync(dataDir)) {
    return {
      labels: [...BUILT_IN],
      origin: "built-in",
      notes: [`shared data folder ${dataDir} not found: address labels come from a built-in set of ${BUILT_IN.length} entries (OFAC and Forta slices) instead of the full lists`],
    };
  }
  const labels = [...readOfac(join(dataDir, "ofac"), notes), ...readForta(join(dataDir, "forta"), notes)];
  if (labels.length === 0) {
    notes.push(`no address labels found under ${dataDir}: using a built-in set of ${BUILT_IN.length} entries`);
    return { labels: [...BUILT_IN], origin: "built-in", notes };
  }
  return { labels, origin: "shared-data", notes };
}

/** One announced pump of `pump_telegram.csv`: the coin, the time of day it was called (as recorded), the exchange. */
export interface AnnouncedPump {
  symbol: string;
  hour: number;
  minute: number;
  exchange: string;
}

/**
 * A slice of the same public list (SystemsLab-Sapienza/pump-and-dump-dataset, MIT: La Morgia et al.
 * 2020), used when the shared data folder is missing: its time-of-day and exchange mix.
 */
const BUILT_IN_PUMPS: readonly AnnouncedPump[] = [
  { symbol: "R", hour: 16, minute: 0, exchange: "yobit" },
  { symbol: "LRC", hour: 15, minute: 59, exchange: "yobit" },
  { symbol: "NXS", hour: 17, minute: 0, exchange: "binance" },
  { symbol: "GRS", hour: 17, minute: 0, exchange: "binance" },
  { symbol: "VIA", hour: 18, minute: 0, exchange: "binance" },
  { symbol: "SYS", hour: 17, minute: 0, exchange: "bittrex" },
  { symbol: "PINK", hour: 19, minute: 0, exchange: "cryptopia" },
  { symbol: "QLC", hour: 16, minute: 0, exchange: "binance" },
];

/** The announced pumps of `<dataDir>/pump-and-dump/pump_telegram.csv` (`symbol,group,date,hour,exchange`), or a built-in slice with a note. */
export function loadAnnouncedPumps(dataDir: string): { pumps: AnnouncedPump[]; notes: string[] } {
  const file = join(dataDir, "pump-and-dump", "pump_telegram.csv");
  if (!existsSync(file)) return { pumps: [...BUILT_IN_PUMPS], notes: [`no ${file}: pump timing comes from a built-in slice of ${BUILT_IN_PUMPS.length} announced pumps`] };
  const lines = readFileSync(file, "utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
  const pumps: AnnouncedPump[] = [];
  let skipped = 0;
  for (const line of lines.slice(1)) {
    const [symbol, , , hour, exchange] = splitCsvLine(line);
    const m = /^(\d{1,2}):(\d{2})$/.exec(hour ?? "");
    if (symbol === undefined || symbol === "" || exchange === undefined || m === null || Number(m[1]) > 23 || Number(m[2]) > 59) {
      skipped++;
      continue;
    }
    pumps.push({ symbol, hour: Number(m[1]), minute: Number(m[2]), exchange: exchange.trim().toLowerCase() });
  }
  const notes = skipped > 0 ? [`pump_telegram.csv: ${skipped} line(s) without a symbol, hh:mm time or exchange skipped`] : [];
  if (pumps.length === 0) return { pumps: [...BUILT_IN_PUMPS], notes: [...notes, `${file} holds no usable pump: the built-in slice is used`] };
  return { pumps, notes };
}
