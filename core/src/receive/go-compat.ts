/**
 * Replicas of the Go behaviour the original's CloudEvents 0.1 parsing exposes on the wire: `time.Parse` with the
 * RFC 3339 layout (its error texts) and the validator's `uri` tag (`url.ParseRequestURI`).
 */

const LOWER_HEX = '0123456789abcdef';
const UTF8 = new TextEncoder();

/** Go's `time.quote`: double quotes, `"` and `\` escaped, control and non-ASCII bytes as `\xNN`. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c >= 0x80 || c < 0x20) {
      for (const byte of UTF8.encode(ch)) out += `\\x${LOWER_HEX[byte >> 4]}${LOWER_HEX[byte & 15]}`;
    } else {
      if (c === 0x22 || c === 0x5c) out += '\\';
      out += ch;
    }
  }
  return out + '"';
}

const RFC3339 = '2006-01-02T15:04:05Z07:00';
type Std = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'zone' | 'end';
/** The layout's chunks as Go's `nextStdChunk` yields them: [prefix, std, std text]. */
const CHUNKS: readonly (readonly [string, Std, string])[] = [
  ['', 'year', '2006'], ['-', 'month', '01'], ['-', 'day', '02'], ['T', 'hour', '15'],
  [':', 'minute', '04'], [':', 'second', '05'], ['', 'zone', 'Z07:00'],
];

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}

/** Go's `atoi` for short strings: optional sign, then digits only. */
function atoi(s: string): number | undefined {
  let i = 0;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') { neg = s[0] === '-'; i = 1; }
  if (i >= s.length) return undefined;
  let n = 0;
  for (; i < s.length; i++) {
    if (!isDigit(s, i)) return undefined;
    n = n * 10 + (s.charCodeAt(i) - 0x30);
  }
  return neg ? -n : n;
}

/** Go's `getnum`: one or two digits (`fixed`: exactly two). */
function getnum(s: string, fixed: boolean): [number, string] | undefined {
  if (!isDigit(s, 0)) return undefined;
  if (!isDigit(s, 1)) return fixed ? undefined : [s.charCodeAt(0) - 0x30, s.slice(1)];
  return [(s.charCodeAt(0) - 0x30) * 10 + (s.charCodeAt(1) - 0x30), s.slice(2)];
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Go's `time.Parse(RFC3339, value)`; with `quoted` the layout is `"RFC3339"` and `value` the raw JSON text, as
 * `time.Time.UnmarshalJSON` does it. Returns Go's error text, or undefined when the value parses.
 * Divergence (reference §19): second 60 (a leap second) is accepted.
 */
export function goParseTimeError(value: string, quoted: boolean): string | undefined {
  const layout = quoted ? `"${RFC3339}"` : RFC3339;
  const cannot = (rest: string, elem: string): string =>
    `parsing time ${goQuote(value)} as ${goQuote(layout)}: cannot parse ${goQuote(rest)} as ${goQuote(elem)}`;
  const outOfRange = (what: string): string => `parsing time ${goQuote(value)}: ${what} out of range`;
  const chunks = quoted ? [['"', 'year', '2006'] as const, ...CHUNKS.slice(1), ['"', 'end', ''] as const] : [...CHUNKS, ['', 'end', ''] as const];
  let v = value;
  let year = 0;
  let month = 0;
  let day = 0;
  for (const [prefix, std, stdstr] of chunks) {
    for (let i = 0; i < prefix.length; i++) {
      if (v.length === 0 || v[0] !== prefix[i]) return cannot(v, prefix);
      v = v.slice(1);
    }
    if (std === 'end') {
      if (v.length !== 0) return `parsing time ${goQuote(value)}: extra text: ${v}`;
      break;
    }
    if (std === 'year') {
      if (v.length < 4 || !isDigit(v, 0)) return cannot(v, stdstr);
      const p = v.slice(0, 4);
      v = v.slice(4);
      const n = atoi(p);
      if (n === undefined) return cannot(v, stdstr);
      year = n;
    } else if (std === 'zone') {
      if (v[0] === 'Z') { v = v.slice(1); continue; }
      if (v.length < 6 || v[3] !== ':') return cannot(v, stdstr);
      const sign = v[0];
      const hh = atoi(v.slice(1, 3));
      const mm = atoi(v.slice(4, 6));
      v = v.slice(6);
      if (hh === undefined || mm === undefined || (sign !== '+' && sign !== '-')) return cannot(v, stdstr);
    } else {
      const got = getnum(v, std !== 'hour');
      if (got === undefined) return cannot(v, stdstr);
      const [n, rest] = got;
      v = rest;
      if (std === 'month') {
        if (n <= 0 || n > 12) return outOfRange('month');
        month = n;
      } else if (std === 'day') {
        day = n;
      } else if (std === 'hour') {
        if (n >= 24) return outOfRange('hour');
      } else if (std === 'minute') {
        if (n >= 60) return outOfRange('minute');
      } else if (std === 'second') {
        if (n > 60) return outOfRange('second'); // Go: n >= 60; leap seconds accepted here
        if (v.length >= 2 && v[0] === '.' && isDigit(v, 1)) {
          let n2 = 2;
          while (n2 < v.length && isDigit(v, n2)) n2++;
          const digits = v.slice(1, n2);
          v = v.slice(n2);
          if (digits.length > 18) return cannot(v, stdstr);
          if (digits.length > 9 && Number(digits) >= 1e9) return outOfRange('fractional second');
        }
      }
    }
  }
  if (day < 1 || day > daysIn(month, year)) return outOfRange('day');
  return undefined;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Every `%` starts a `%XX` escape (Go's `unescape` succeeds). */
function validEscapes(s: string): boolean {
  for (let i = s.indexOf('%'); i !== -1; i = s.indexOf('%', i + 1)) {
    if (i + 2 >= s.length || !isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) return false;
  }
  return true;
}

/** Characters Go's `shouldEscape(c, encodeHost)` rejects in a host name (besides `%` escapes). */
const HOST_OK = "!$&'()*+,;=:[]<>\"-._~";

function validHost(host: string): boolean {
  let colonPort = '';
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) return false;
    colonPort = host.slice(close + 1);
  } else {
    const colon = host.lastIndexOf(':');
    if (colon !== -1) colonPort = host.slice(colon);
  }
  if (colonPort !== '') {
    if (colonPort[0] !== ':') return false;
    for (let i = 1; i < colonPort.length; i++) if (!isDigit(colonPort, i)) return false;
  }
  if (!validEscapes(host)) return false;
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c >= 0x80 || c === 0x25 /* % */) continue;
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (!alnum && !HOST_OK.includes(host[i] ?? '')) return false;
  }
  return true;
}

/** Go's `url.ParseRequestURI(s) == nil`: an absolute URI or a path starting with `/`. */
export function goParseRequestURI(raw: string): boolean {
  if (raw === '') return false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  if (raw === '*') return true;
  let scheme = '';
  let rest = raw;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) continue;
    if (isDigit(raw, i) || c === 0x2b || c === 0x2d || c === 0x2e) {
      if (i === 0) break;
      continue;
    }
    if (c === 0x3a /* : */) {
      if (i === 0) return false; // missing protocol scheme
      scheme = raw.slice(0, i);
      rest = raw.slice(i + 1);
    }
    break;
  }
  const q = rest.indexOf('?');
  if (q !== -1) rest = rest.slice(0, q);
  if (!rest.startsWith('/')) return scheme !== '';
  if (scheme !== '' && rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const authority = slash === -1 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash === -1 ? '' : rest.slice(slash);
    const at = authority.lastIndexOf('@');
    if (at !== -1 && !validEscapes(authority.slice(0, at))) return false;
    if (!validHost(authority.slice(at + 1))) return false;
  }
  return validEscapes(rest);
}

/** The validator's `uri` tag: the part before `#` must be non-empty and pass `url.ParseRequestURI`. */
export function goIsURI(s: string): boolean {
  const hash = s.indexOf('#');
  return goParseRequestURI(hash === -1 ? s : s.slice(0, hash));
}
