/**
 * Small pieces of Go behaviour the Config API's messages depend on (reference §3): `fmt`'s `%q`, the error text of
 * go-playground/validator v9, and the `url` validator tag (`url.ParseRequestURI` plus a scheme).
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT_ESCAPES: Readonly<Record<number, string>> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

/** Go's `strconv.Quote` (`fmt`'s `%q`): `Function "a\"b" not found.` */
export function goQuote(s: string): string {
  let out = '"';
  for (const char of s) {
    const cp = char.codePointAt(0)!;
    if (cp === 0x22) out += '\\"';
    else if (cp === 0x5c) out += '\\\\';
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\ufffd'; // a lone surrogate: Go would hold U+FFFD
    else if (PRINTABLE.test(char)) out += char;
    else if (SHORT_ESCAPES[cp] !== undefined) out += SHORT_ESCAPES[cp];
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return `${out}"`;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** One go-playground/validator v9 field error: `Key: 'Subscription.Type' Error:Field validation for 'Type' failed on the 'required' tag`. */
export function fieldError(struct: string, field: string, tag: string): string {
  return `Key: '${struct}.${field}' Error:Field validation for '${field}' failed on the '${tag}' tag`;
}

/** `^[a-zA-Z0-9\.\-_]+$`: spaces, function ids and a subscription's event type (reference §2). */
export const NAME_PATTERN = /^[a-zA-Z0-9.\-_]+$/;

/** Go's `path.IsAbs`. */
export function isAbsPath(p: string): boolean {
  return p.startsWith('/');
}

/** Go's `utf8.RuneCountInString`, which validator's `min` counts for strings. */
export function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * The validator `url` tag: strip a `#fragment`, then `url.ParseRequestURI` must succeed and give a scheme. So
 * `http://example.com` and `localhost:3000` (scheme `localhost`) pass; `example.com`, `/path` and `http://a b` fail.
 */
export function isGoUrl(raw: string): boolean {
  const hash = raw.indexOf('#');
  const s = hash === -1 ? raw : raw.slice(0, hash);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what Go's URL parser rejects
  if (s === '' || /[\x00-\x1f\x7f]/.test(s)) return false;
  const colon = schemeEnd(s);
  if (colon <= 0) return false; // no scheme, or `:` first ("missing protocol scheme")
  let rest = s.slice(colon + 1);
  const q = rest.indexOf('?');
  if (q !== -1) rest = rest.slice(0, q);
  if (!rest.startsWith('/')) return true; // opaque (`mailto:x`, `localhost:3000`)
  let path = rest;
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const authority = slash === -1 ? rest.slice(2) : rest.slice(2, slash);
    path = slash === -1 ? '' : rest.slice(slash);
    if (!validAuthority(authority)) return false;
  }
  return validEscapes(path, false);
}

/** Index of the `:` ending a scheme, or -1 (Go's `getscheme`). */
function schemeEnd(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return -1;
      continue;
    }
    return c === ':' ? i : -1;
  }
  return -1;
}

function validAuthority(authority: string): boolean {
  const at = authority.lastIndexOf('@');
  const host = at === -1 ? authority : authority.slice(at + 1);
  if (!validHost(host)) return false;
  if (at === -1) return true;
  const userinfo = authority.slice(0, at);
  return /^[a-zA-Z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo) && validEscapes(userinfo, false);
}

function validHost(host: string): boolean {
  let name = host;
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close === -1 || !/^(:[0-9]*)?$/.test(host.slice(close + 1))) return false;
    name = host.slice(0, close + 1);
  } else {
    const colon = host.lastIndexOf(':');
    if (colon !== -1) {
      if (!/^:[0-9]*$/.test(host.slice(colon))) return false;
      name = host.slice(0, colon);
    }
  }
  if (!validEscapes(name, true)) return false;
  for (const c of name) {
    if (c.charCodeAt(0) < 0x80 && !/[a-zA-Z0-9\-_.~!$&'()*+,;=:[\]<>"%]/.test(c)) return false;
  }
  return true;
}

/** Every `%` starts a valid escape; in a host, only non-ASCII bytes and `%25` may be escaped. */
function validEscapes(s: string, host: boolean): boolean {
  for (let i = s.indexOf('%'); i !== -1; i = s.indexOf('%', i + 3)) {
    const escape = s.slice(i, i + 3);
    if (!/^%[0-9a-fA-F]{2}$/.test(escape)) return false;
    if (host && parseInt(escape[1]!, 16) < 8 && escape !== '%25') return false;
  }
  return true;
}
