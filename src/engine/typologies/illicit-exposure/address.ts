// One spelling per address, so that a label, an on-chain move and an exchange's deposit record of the
// same address meet in one key however each source wrote it.
//
//   - EVM (`0x` + 40 hex digits): lower-case. EIP-55 puts a checksum in the letter case only, so
//     `0xAbC…` and `0xabc…` are one address. (The checksum itself is not verified: that needs
//     Keccak-256, which node:crypto does not offer.)
//   - bech32 / bech32m segwit (`bc1…`, `tb1…`, `bcrt1…`, `ltc1…`): lower-case when written in one case
//     (BIP-173 allows all upper-case, as in QR codes; mixed case is invalid and kept verbatim, so it
//     never matches a valid address by accident).
//   - NEM / Symbol (`N…`/`T…`, 40 base32 characters, often shown in dash-separated groups): dashes
//     removed, upper-case, when written in one case.
//   - Everything else (base58: legacy Bitcoin `1…`/`3…`, XRP `r…`, Tron `T…`, …) is case-sensitive
//     and kept as written, trimmed of surrounding spaces.

const EVM = /^0[xX][0-9a-fA-F]{40}$/;
const BECH32 = /^(?:bc|tb|bcrt|ltc|tltc)1[02-9ac-hj-np-z]{6,87}$/i;
const NEM = /^[NT][A-Z2-7]{39}$/i;

const oneCase = (s: string): boolean => s === s.toLowerCase() || s === s.toUpperCase();

/** The canonical spelling of an on-chain address (see the file comment for the rules). */
export function normalizeAddress(raw: string): string {
  const s = raw.trim();
  if (EVM.test(s)) return s.toLowerCase();
  if (BECH32.test(s)) return oneCase(s) ? s.toLowerCase() : s;
  if (s.length >= 40 && s.length <= 46) {
    const bare = s.includes("-") ? s.replace(/-/g, "") : s;
    if (bare.length === 40 && NEM.test(bare) && oneCase(bare)) return bare.toUpperCase();
  }
  return s;
}
