/**
 * JSON the way the original's Config API reads and writes it (Go's `encoding/json`, reference §2).
 *
 * Reading is `json.NewDecoder(body).Decode(&v)`: only the first JSON value counts (trailing bytes are ignored), an
 * empty body is `EOF`, a truncated one `unexpected EOF`, and a syntax error has Go's text, e.g.
 * `invalid character '}' looking for beginning of object key string`. The bytes are checked here with a port of
 * Go's scanner; `JSON.parse` then builds the value.
 *
 * Writing is `json.NewEncoder(w).Encode(v)`: a trailing newline, and `<`, `>`, `&`, U+2028, U+2029 escaped.
 */

import { MAX_JSON_DEPTH } from '../json-depth.ts';

/** Go's decoder allowed 10,000 levels (`maxNestingDepth`); V8 cannot re-encode that deep, so core's bound applies. */
const MAX_DEPTH = MAX_JSON_DEPTH;

/** The first JSON value of `body`, or Go's error message for it. */
export type GoJsonResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

class SyntaxError_ extends Error {}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

const CHAR_ESCAPES: Readonly<Record<number, string>> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 0x5c: '\\\\' };

/** Go's `quoteChar`: the offending byte as Go prints it in a syntax error (`'}'`, `'\n'`, `'\x01'`, `'ï'`). */
function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (CHAR_ESCAPES[c] !== undefined) return `'${CHAR_ESCAPES[c]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  if ((c >= 0x80 && c <= 0xa0) || c === 0xad) return `'\\u${c.toString(16).padStart(4, '0')}'`;
  return `'${String.fromCharCode(c)}'`;
}

/** Decode the first JSON value of `body` like Go's `json.Decoder.Decode`. */
export function decodeGoJson(body: Uint8Array): GoJsonResult {
  const scanner = new Scanner(body);
  try {
    const end = scanner.value();
    const text = Buffer.from(body.buffer, body.byteOffset, end).toString('utf8');
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    if (err instanceof SyntaxError_) return { ok: false, error: err.message };
    throw err;
  }
}

/** A port of the states of Go's `encoding/json/scanner.go`, enough to find the first value's end or its error. */
class Scanner {
  readonly #b: Uint8Array;
  #i = 0;

  constructor(body: Uint8Array) {
    this.#b = body;
  }

  /** Scan one value; returns the offset just past it. Iterative: nesting costs no stack. */
  value(): number {
    this.#skipSpace();
    if (this.#i >= this.#b.length) throw new SyntaxError_('EOF');
    const open: boolean[] = []; // true: an object, false: an array
    for (;;) {
      if (this.#beginValue(open)) continue; // opened a non-empty object or array: its first value is next
      for (;;) {
        // a value just ended
        const object = open[open.length - 1];
        if (object === undefined) return this.#i;
        this.#skipSpace();
        const c = this.#peek();
        if (c === (object ? 0x7d : 0x5d)) {
          this.#i++;
          open.pop();
          continue;
        }
        if (c !== 0x2c) this.#fail(object ? 'after object key:value pair' : 'after array element');
        this.#i++;
        if (object) this.#key();
        break;
      }
    }
  }

  #peek(): number {
    if (this.#i >= this.#b.length) throw new SyntaxError_('unexpected EOF');
    return this.#b[this.#i]!;
  }

  #fail(context: string): never {
    throw new SyntaxError_(`invalid character ${quoteChar(this.#b[this.#i]!)} ${context}`);
  }

  #skipSpace(): void {
    while (this.#i < this.#b.length && isSpace(this.#b[this.#i]!)) this.#i++;
  }

  /** Scan a scalar, or open an object or array; true when the container is open and not empty. */
  #beginValue(open: boolean[]): boolean {
    this.#skipSpace();
    const c = this.#peek();
    if (c === 0x7b || c === 0x5b) {
      if (open.length >= MAX_DEPTH) this.#fail('exceeded max depth');
      this.#i++;
      this.#skipSpace();
      if (this.#peek() === (c === 0x7b ? 0x7d : 0x5d)) {
        this.#i++;
        return false;
      }
      open.push(c === 0x7b);
      if (c === 0x7b) this.#key();
      return true;
    }
    if (c === 0x22) this.#string();
    else if (c === 0x2d || isDigit(c)) this.#number();
    else if (c === 0x74) this.#literal('true');
    else if (c === 0x66) this.#literal('false');
    else if (c === 0x6e) this.#literal('null');
    else this.#fail('looking for beginning of value');
    return false;
  }

  /** An object key and its colon. */
  #key(): void {
    this.#skipSpace();
    if (this.#peek() !== 0x22) this.#fail('looking for beginning of object key string');
    this.#string();
    this.#skipSpace();
    if (this.#peek() !== 0x3a) this.#fail('after object key');
    this.#i++;
  }

  #string(): void {
    this.#i++;
    for (;;) {
      const c = this.#peek();
      if (c === 0x22) {
        this.#i++;
        return;
      }
      if (c < 0x20) this.#fail('in string literal');
      this.#i++;
      if (c !== 0x5c) continue;
      const e = this.#peek();
      if (e === 0x75) {
        this.#i++;
        for (let k = 0; k < 4; k++) {
          if (!isHex(this.#peek())) this.#fail('in \\u hexadecimal character escape');
          this.#i++;
        }
      } else if ('bfnrt\\/"'.includes(String.fromCharCode(e))) this.#i++;
      else this.#fail('in string escape code');
    }
  }

  /** A number ends at the first byte that cannot continue it; at the end of the body it is complete. */
  #number(): void {
    const more = (): boolean => this.#i < this.#b.length;
    if (this.#b[this.#i] === 0x2d) {
      this.#i++;
      if (!isDigit(this.#peek())) this.#fail('in numeric literal');
    }
    if (this.#b[this.#i] === 0x30) this.#i++;
    else while (more() && isDigit(this.#b[this.#i]!)) this.#i++;
    if (more() && this.#b[this.#i] === 0x2e) {
      this.#i++;
      if (!isDigit(this.#peek())) this.#fail('after decimal point in numeric literal');
      while (more() && isDigit(this.#b[this.#i]!)) this.#i++;
    }
    if (more() && (this.#b[this.#i] === 0x65 || this.#b[this.#i] === 0x45)) {
      this.#i++;
      if (this.#peek() === 0x2b || this.#peek() === 0x2d) this.#i++;
      if (!isDigit(this.#peek())) this.#fail('in exponent of numeric literal');
      while (more() && isDigit(this.#b[this.#i]!)) this.#i++;
    }
  }

  #literal(word: string): void {
    this.#i++;
    for (let k = 1; k < word.length; k++) {
      if (this.#peek() !== word.charCodeAt(k)) this.#fail(`in literal ${word} (expecting '${word[k]}')`);
      this.#i++;
    }
  }
}

const GO_ESCAPES = /\\[\\bf]|[<>&\u2028\u2029]/g;
const GO_REPLACEMENTS: Readonly<Record<string, string>> = {
  '\\b': '\\u0008', '\\f': '\\u000c', '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029',
};

/** `json.NewEncoder(w).Encode(v)`: Go's escaping and a trailing newline. */
export function encodeGoJson(value: unknown): string {
  return `${JSON.stringify(value).replace(GO_ESCAPES, (m) => GO_REPLACEMENTS[m] ?? m)}\n`;
}
