// The replay encoding: a compact binary form of the engine's view of stored events, so a backtest
// reads the log without JSON.parse or schema validation (the events were validated when they were
// appended). A segment is a run of events encoded one after another with dictionaries built inline:
//
//   segment = "KRP" FORMAT count:varint record*
//   record  = value                       (the event object, as `parseEvent` gave it)
//   value   = tag payload
//
// Objects are written by shape (their key list, in order): the first object of a shape spells its
// keys out and later ones refer to it by number, so an event costs its values only, and decoded
// events of one type share one hidden class. Strings repeat a lot (account ids, assets, markets,
// sources, enum values): the first occurrence of a string is spelled out and numbered, later ones
// are a number. Strings that are almost always unique (`id`, `ts`) are spelled out without a number.
// Money (bigints scaled by 10^18) is a mantissa and a power of ten (`m × 10^k`), exact, with a
// decimal fallback for values whose mantissa is not a safe integer. Numbers are zig-zag varints when
// they are safe integers, else 8-byte doubles.
//
// Decoding is the exact inverse: decode(encode(e)) deep-equals e for any value built of plain
// objects, arrays, strings, numbers, bigints, booleans, null and undefined.
import { KanshiError } from "../contracts/errors.ts";
import type { Event } from "../contracts/events.ts";

/** Bump when the byte layout changes; segments of another format are rebuilt, never misread. */
export const REPLAY_FORMAT = 1;

const MAGIC = [0x4b, 0x52, 0x50]; // "KRP"

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_FALSE = 2;
const T_TRUE = 3;
const T_INT = 4; // zig-zag varint, a safe integer
const T_F64 = 5; // 8 bytes little-endian
const T_STR_NEW = 6; // spelled out, numbered: varint byte length, UTF-8
const T_STR_NEW_ASCII = 7; // same, every byte < 0x80
const T_STR_REF = 8; // varint number
const T_STR_LIT = 9; // spelled out, not numbered (unique values): UTF-8
const T_STR_LIT_ASCII = 10;
const T_BIG = 11; // zig-zag varint mantissa, u8 exponent: m × 10^k
const T_BIG_TEXT = 12; // decimal text (ASCII), for the rest
const T_ARRAY = 13; // varint length, values
const T_OBJ_NEW = 14; // varint key count, keys (string values), then the values
const T_OBJ = 15; // varint shape number, then the values
const T_NEG_ZERO = 16;

/** Keys whose string values are nearly always unique: spelled out, not kept in the dictionary. */
const UNIQUE_KEYS = new Set(["id", "ts", "txHash", "announcedAt", "listingAt", "observedAt"]);

const MAX_EXP = 40;
const POW10: bigint[] = [];
for (let k = 0, p = 1n; k <= MAX_EXP; k++, p *= 10n) POW10.push(p);
/** Integers written as zig-zag varints stay below this magnitude, so 2|v| + 1 is still exact. */
const VARINT_LIMIT = 2 ** 52;
const MAX_MANTISSA = BigInt(VARINT_LIMIT);
const TWO32 = 2 ** 32;

const utf8 = new TextEncoder();
/**
 * Buffer's own one-byte and UTF-8 slicers (what `toString("latin1" | "utf8", start, end)` calls after
 * checking its arguments): a third of the decode time went to that wrapper. Taken from the prototype
 * when this Node has them, else the documented call.
 */
type Slicer = (this: Buffer, start: number, end: number) => string;
const protoSlicers = Buffer.prototype as unknown as { latin1Slice?: Slicer; utf8Slice?: Slicer };
const latin1Slice: Slicer = typeof protoSlicers.latin1Slice === "function" ? protoSlicers.latin1Slice : function (this: Buffer, a, b) {
  return this.toString("latin1", a, b);
};
const utf8Slice: Slicer = typeof protoSlicers.utf8Slice === "function" ? protoSlicers.utf8Slice : function (this: Buffer, a, b) {
  return this.toString("utf8", a, b);
};

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

interface Shape {
  readonly keys: readonly string[];
  /** No "__proto__" among the keys: plain assignment is safe. */
  readonly plain: boolean;
  /** For a plain shape of at most MAX_FACTORY_KEYS keys: builds its objects in one literal. */
  readonly make: ObjectFactory | undefined;
}

/** Builds one object of a shape, reading its values in key order from `next`. */
type ObjectFactory = (next: () => unknown) => Record<string, unknown>;

const MAX_FACTORY_KEYS = 64;
const MAX_FACTORIES = 1024;
/** Shape (its keys as JSON) → its factory, shared by every decoder: events of one shape share one hidden class. */
const factories = new Map<string, ObjectFactory>();

/**
 * A function returning the object literal `{ "k1": next(), "k2": next(), ... }`: the engine allocates
 * it with every property in place (an event read through property after property, by every typology,
 * reads it faster than one grown key by key) and assigns values in key order. Keys are written as
 * JSON string literals, so any key is safe to compile; "__proto__" is never among them (such shapes
 * are built by defineProperty instead, see `object`).
 */
function factoryOf(keys: readonly string[]): ObjectFactory | undefined {
  if (keys.length > MAX_FACTORY_KEYS) return undefined;
  const id = JSON.stringify(keys);
  let f = factories.get(id);
  if (f === undefined) {
    if (factories.size >= MAX_FACTORIES) return undefined; // that many shapes: built key by key
    // (compiled from JSON-quoted keys only)
    f = new Function("next", `"use strict"; return { ${keys.map((k) => `${JSON.stringify(k)}: next()`).join(", ")} };`) as ObjectFactory;
    factories.set(id, f);
  }
  return f;
}

/** Writes events into one segment. */
export class ReplayEncoder {
  private buf: Uint8Array = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private pos = 0;
  private readonly strings = new Map<string, number>();
  private readonly shapes = new Map<string, number>();
  /** How often each string value occurs in the segment (first pass): only repeats are numbered. */
  private readonly uses = new Map<string, number>();
  private readonly events: Event[] = [];

  /** Events added so far. */
  get count(): number {
    return this.events.length;
  }

  /** Add an event (checked now, written by `finish`). */
  add(event: Event): void {
    const path = `events[${this.events.length}]`;
    if (typeof event !== "object" || event === null || Array.isArray(event)) {
      throw new KanshiError("internal", "replay: an event must be an object", path);
    }
    this.countStrings(event, undefined, path);
    this.events.push(event);
  }

  /** The segment's bytes: header and every event added. */
  finish(): Uint8Array {
    for (let i = 0; i < this.events.length; i++) this.value(this.events[i], undefined, `events[${i}]`);
    const head: number[] = [...MAGIC, REPLAY_FORMAT];
    for (let v = this.events.length; ; ) {
      if (v < 0x80) {
        head.push(v);
        break;
      }
      head.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    const out = new Uint8Array(head.length + this.pos);
    out.set(head, 0);
    out.set(this.buf.subarray(0, this.pos), head.length);
    return out;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  /** A non-negative safe integer. */
  private varint(v: number): void {
    this.room(8);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  /** An integer of magnitude below 2^52, zig-zag: 0, -1, 1, -2, … → 0, 1, 2, 3, … */
  private zigzag(v: number): void {
    this.varint(v < 0 ? -2 * v - 1 : 2 * v);
  }

  private text(tagAscii: number, tagUtf8: number, s: string): void {
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      this.byte(tagAscii);
      this.varint(s.length);
      this.room(s.length);
      for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
      return;
    }
    if (LONE_SURROGATE.test(s)) throw new KanshiError("internal", "replay: a string holds an unpaired surrogate");
    const bytes = utf8.encode(s);
    this.byte(tagUtf8);
    this.varint(bytes.length);
    this.room(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** First pass: count string values (outside UNIQUE_KEYS), and refuse what cannot be encoded. */
  private countStrings(v: unknown, key: string | undefined, path: string): void {
    switch (typeof v) {
      case "string":
        if (key === undefined || !UNIQUE_KEYS.has(key)) this.uses.set(v, (this.uses.get(v) ?? 0) + 1);
        return;
      case "number":
      case "bigint":
      case "boolean":
      case "undefined":
        return;
      case "object": {
        if (v === null) return;
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) this.countStrings(v[i], undefined, `${path}[${i}]`);
          return;
        }
        const proto = Object.getPrototypeOf(v) as unknown;
        if (proto !== Object.prototype && proto !== null) throw new KanshiError("internal", "replay: cannot encode a class instance", path);
        const o = v as Record<string, unknown>;
        for (const k of Object.keys(o)) this.countStrings(o[k], k, `${path}.${k}`);
        return;
      }
      default:
        throw new KanshiError("internal", `replay: cannot encode a ${typeof v}`, path);
    }
  }

  private string(s: string, unique: boolean): void {
    if (unique || (this.uses.get(s) ?? 0) < 2) {
      this.text(T_STR_LIT_ASCII, T_STR_LIT, s);
      return;
    }
    const ref = this.strings.get(s);
    if (ref !== undefined) {
      this.byte(T_STR_REF);
      this.varint(ref);
      return;
    }
    this.strings.set(s, this.strings.size);
    this.text(T_STR_NEW_ASCII, T_STR_NEW, s);
  }

  /** Object keys: always numbered (a shape is spelled out once, but its keys recur across shapes). */
  private key(k: string): void {
    const ref = this.strings.get(k);
    if (ref !== undefined) {
      this.byte(T_STR_REF);
      this.varint(ref);
      return;
    }
    this.strings.set(k, this.strings.size);
    this.text(T_STR_NEW_ASCII, T_STR_NEW, k);
  }

  private bigint(v: bigint): void {
    let m = v;
    let k = 0;
    if (m !== 0n) {
      // Strip powers of ten: 10^18 first (whole units), then 10^6, then single digits.
      while (k + 18 <= MAX_EXP && m % POW10[18]! === 0n) {
        m /= POW10[18]!;
        k += 18;
      }
      while (k + 6 <= MAX_EXP && m % POW10[6]! === 0n) {
        m /= POW10[6]!;
        k += 6;
      }
      while (k < MAX_EXP && m % 10n === 0n) {
        m /= 10n;
        k++;
      }
    }
    if (m < MAX_MANTISSA && m > -MAX_MANTISSA) {
      this.byte(T_BIG);
      this.zigzag(Number(m));
      this.byte(k);
      return;
    }
    this.text(T_BIG_TEXT, T_BIG_TEXT, v.toString());
  }

  private value(v: unknown, key: string | undefined, path: string): void {
    switch (typeof v) {
      case "string":
        this.string(v, key !== undefined && UNIQUE_KEYS.has(key));
        return;
      case "number":
        if (Number.isInteger(v) && v < VARINT_LIMIT && v > -VARINT_LIMIT && !Object.is(v, -0)) {
          this.byte(T_INT);
          this.zigzag(v);
        } else if (Object.is(v, -0)) {
          this.byte(T_NEG_ZERO);
        } else {
          this.byte(T_F64);
          this.room(8);
          this.view.setFloat64(this.pos, v, true);
          this.pos += 8;
        }
        return;
      case "bigint":
        this.bigint(v);
        return;
      case "boolean":
        this.byte(v ? T_TRUE : T_FALSE);
        return;
      case "undefined":
        this.byte(T_UNDEFINED);
        return;
      case "object": {
        if (v === null) {
          this.byte(T_NULL);
          return;
        }
        if (Array.isArray(v)) {
          this.byte(T_ARRAY);
          this.varint(v.length);
          for (let i = 0; i < v.length; i++) this.value(v[i], undefined, `${path}[${i}]`);
          return;
        }
        const proto = Object.getPrototypeOf(v) as unknown;
        if (proto !== Object.prototype && proto !== null) throw new KanshiError("internal", "replay: cannot encode a class instance", path);
        const keys = Object.keys(v);
        const shapeKey = keys.join("\0");
        const shape = this.shapes.get(shapeKey);
        if (shape !== undefined) {
          this.byte(T_OBJ);
          this.varint(shape);
        } else {
          this.shapes.set(shapeKey, this.shapes.size);
          this.byte(T_OBJ_NEW);
          this.varint(keys.length);
          for (const k of keys) this.key(k);
        }
        const o = v as Record<string, unknown>;
        for (const k of keys) this.value(o[k], k, `${path}.${k}`);
        return;
      }
      default:
        throw new KanshiError("internal", `replay: cannot encode a ${typeof v}`, path);
    }
  }
}

/** Encode events into one segment. */
export function encodeReplaySegment(events: Iterable<Event>): Uint8Array {
  const enc = new ReplayEncoder();
  for (const e of events) enc.add(e);
  return enc.finish();
}

function corrupt(what: string, at: number): KanshiError {
  return new KanshiError("internal", `replay segment is corrupt: ${what}`, `byte ${at}`);
}

/**
 * Reads the events of one segment in order, one at a time (`next()`), straight into event objects.
 * Throws `internal` on a corrupt or foreign segment.
 */
export class ReplayDecoder {
  readonly count: number;
  private readonly buf: Buffer;
  private readonly view: DataView;
  private pos: number;
  private read = 0;
  private readonly strings: string[] = [];
  private readonly shapes: Shape[] = [];
  private readonly nextValue = (): unknown => this.value();

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < 5 || bytes[0] !== MAGIC[0] || bytes[1] !== MAGIC[1] || bytes[2] !== MAGIC[2]) throw corrupt("not a replay segment", 0);
    if (bytes[3] !== REPLAY_FORMAT) throw corrupt(`format ${bytes[3]}, expected ${REPLAY_FORMAT}`, 3);
    this.pos = 4;
    this.count = this.varint();
  }

  /** Events not yet read. */
  get remaining(): number {
    return this.count - this.read;
  }

  /** The next event, or undefined after the last. */
  next(): Event | undefined {
    if (this.read >= this.count) {
      if (this.pos !== this.buf.length) throw corrupt("bytes after the last event", this.pos);
      return undefined;
    }
    this.read++;
    let v: unknown;
    try {
      v = this.value();
    } catch (e) {
      if (e instanceof KanshiError) throw e;
      throw corrupt(`undecodable (${e instanceof Error ? e.name : typeof e})`, this.pos);
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw corrupt("an event that is not an object", this.pos);
    return v as Event;
  }

  private varint(): number {
    const buf = this.buf;
    let b = buf[this.pos++];
    if (b === undefined) throw corrupt("truncated", this.pos);
    if (b < 0x80) return b;
    let v = b & 0x7f;
    let mul = 0x80;
    for (;;) {
      b = buf[this.pos++];
      if (b === undefined) throw corrupt("truncated", this.pos);
      v += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 0x80;
      if (mul > TWO32 * TWO32) throw corrupt("varint too long", this.pos);
    }
    return v;
  }

  private zigzag(): number {
    const z = this.varint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  private ascii(): string {
    const n = this.varint();
    const end = this.pos + n;
    if (end > this.buf.length) throw corrupt("truncated string", this.pos);
    const s = latin1Slice.call(this.buf, this.pos, end);
    this.pos = end;
    return s;
  }

  private utf8(): string {
    const n = this.varint();
    const end = this.pos + n;
    if (end > this.buf.length) throw corrupt("truncated string", this.pos);
    // Written from valid strings only (the encoder refuses unpaired surrogates); a corrupt byte
    // decodes to U+FFFD, a different string, never silently the same.
    const s = utf8Slice.call(this.buf, this.pos, end);
    this.pos = end;
    return s;
  }

  private value(): unknown {
    const tag = this.buf[this.pos++];
    switch (tag) {
      case T_STR_REF: {
        const i = this.varint();
        const s = this.strings[i];
        if (s === undefined) throw corrupt(`string ${i} not yet defined`, this.pos);
        return s;
      }
      case T_OBJ: {
        const i = this.varint();
        const shape = this.shapes[i];
        if (shape === undefined) throw corrupt(`shape ${i} not yet defined`, this.pos);
        return this.object(shape);
      }
      case T_INT:
        return this.zigzag();
      case T_BIG: {
        const m = this.zigzag();
        const k = this.buf[this.pos++];
        if (k === undefined || k > MAX_EXP) throw corrupt("bad exponent", this.pos);
        return k === 0 ? BigInt(m) : BigInt(m) * POW10[k]!;
      }
      case T_STR_LIT_ASCII:
        return this.ascii();
      case T_STR_NEW_ASCII: {
        const s = this.ascii();
        this.strings.push(s);
        return s;
      }
      case T_STR_LIT:
        return this.utf8();
      case T_STR_NEW: {
        const s = this.utf8();
        this.strings.push(s);
        return s;
      }
      case T_OBJ_NEW: {
        const n = this.varint();
        const keys: string[] = [];
        for (let i = 0; i < n; i++) {
          const k = this.value();
          if (typeof k !== "string") throw corrupt("an object key that is not a string", this.pos);
          keys.push(k);
        }
        const plain = !keys.includes("__proto__");
        const shape: Shape = { keys, plain, make: plain ? factoryOf(keys) : undefined };
        this.shapes.push(shape);
        return this.object(shape);
      }
      case T_UNDEFINED:
        return undefined;
      case T_NULL:
        return null;
      case T_FALSE:
        return false;
      case T_TRUE:
        return true;
      case T_NEG_ZERO:
        return -0;
      case T_F64: {
        if (this.pos + 8 > this.buf.length) throw corrupt("truncated number", this.pos);
        const v = this.view.getFloat64(this.pos, true);
        this.pos += 8;
        return v;
      }
      case T_BIG_TEXT: {
        const s = this.ascii();
        if (!/^-?\d+$/.test(s)) throw corrupt("bad integer text", this.pos);
        return BigInt(s);
      }
      case T_ARRAY: {
        const n = this.varint();
        if (n > this.buf.length - this.pos) throw corrupt("array longer than the segment", this.pos);
        const a: unknown[] = new Array(n);
        for (let i = 0; i < n; i++) a[i] = this.value();
        return a;
      }
      case undefined:
        throw corrupt("truncated", this.pos);
      default:
        throw corrupt(`unknown tag ${tag}`, this.pos - 1);
    }
  }

  private object(shape: Shape): Record<string, unknown> {
    if (shape.make !== undefined) return shape.make(this.nextValue);
    const keys = shape.keys;
    const o: Record<string, unknown> = {};
    if (shape.plain) {
      for (let i = 0; i < keys.length; i++) o[keys[i]!] = this.value();
    } else {
      // An own "__proto__" key (JSON.parse makes one) must stay a key, not set the prototype.
      for (let i = 0; i < keys.length; i++) Object.defineProperty(o, keys[i]!, { value: this.value(), enumerable: true, writable: true, configurable: true });
    }
    return o;
  }
}

/** Every event of one segment, in the order written. */
export function decodeReplaySegment(bytes: Uint8Array): Event[] {
  const d = new ReplayDecoder(bytes);
  const out: Event[] = new Array(d.count);
  for (let i = 0; i < out.length; i++) out[i] = d.next()!;
  if (d.next() !== undefined) throw corrupt("more events than counted", 0);
  return out;
}
