/**
 * Media types and body normalisation for the receive stage (reference §4.2, §4.3, §19).
 *
 * The type is checked the way Go's `mime.ParseMediaType` checks it (same error texts, same "no media type means
 * application/octet-stream" rule); parameters are parsed by the `content-type` package.
 */
import contentType from 'content-type';
import { GatewayError, isGatewayError } from '../errors.ts';
import { parseBoundedJson } from '../json-depth.ts';

export const OCTET_STREAM = 'application/octet-stream';

/** A parsed `Content-Type`: the lower-cased `type/subtype` and the lower-cased charset, if any. */
export interface MediaType {
  readonly type: string;
  readonly charset: string | undefined;
}

const DEFAULT_MEDIA: MediaType = Object.freeze({ type: OCTET_STREAM, charset: undefined });
const NO_MEDIA_TYPE = 'mime: no media type';

/** Go's `isTokenChar`: ASCII above space, not a tspecial. */
function isTokenChar(c: number): boolean {
  if (c <= 0x20 || c >= 0x7f) return false;
  // tspecials: ()<>@,;:\"/[]?=
  switch (c) {
    case 0x28: case 0x29: case 0x3c: case 0x3e: case 0x40: case 0x2c: case 0x3b: case 0x3a:
    case 0x5c: case 0x22: case 0x2f: case 0x5b: case 0x5d: case 0x3f: case 0x3d:
      return false;
    default:
      return true;
  }
}

function tokenEnd(s: string, from: number): number {
  let i = from;
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  return i;
}

/** Go's `checkMediaTypeDisposition`: undefined when valid, else Go's error text. */
function checkMediaType(s: string): string | undefined {
  const end = tokenEnd(s, 0);
  if (end === 0) return NO_MEDIA_TYPE;
  if (end === s.length) return undefined; // a lone token is accepted, as in Go
  if (s.charCodeAt(end) !== 0x2f /* / */) return 'mime: expected slash after first token';
  const subEnd = tokenEnd(s, end + 1);
  if (subEnd === end + 1) return 'mime: expected token after slash';
  if (subEnd !== s.length) return 'mime: unexpected content after media subtype';
  return undefined;
}

function badMediaType(message: string): GatewayError {
  return new GatewayError('GW_ERR_BAD_MEDIA_TYPE', message);
}

/**
 * Parse a `Content-Type` header. Missing, empty or type-less headers mean `application/octet-stream` (as the
 * original); a malformed type or parameter list throws a 400 with Go's message (`mime: invalid media parameter`).
 */
export function parseMediaType(header: string | undefined): MediaType {
  if (header === undefined) return DEFAULT_MEDIA;
  const semi = header.indexOf(';');
  const type = (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase();
  const problem = checkMediaType(type);
  if (problem === NO_MEDIA_TYPE) return DEFAULT_MEDIA;
  if (problem !== undefined) throw badMediaType(problem);
  if (semi === -1) return { type, charset: undefined };

  // Go ignores one trailing semicolon; the content-type package does not.
  let end = header.length;
  while (end > semi && isSpace(header.charCodeAt(end - 1))) end--;
  if (header.charCodeAt(end - 1) === 0x3b /* ; */) end--;
  if (header.slice(semi, end).trim() === '' || type.indexOf('/') === -1) return { type, charset: undefined };
  let parameters: Record<string, string>;
  try {
    parameters = contentType.parse(header.slice(0, end)).parameters;
  } catch {
    throw badMediaType('mime: invalid media parameter');
  }
  const charset = parameters['charset'];
  return { type, charset: charset === undefined ? undefined : charset.toLowerCase() };
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** A JSON media type: `*\/json` or `*\/*+json` (CloudEvents JSON format §3.1). */
export function isJsonType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json') || type.endsWith('/json');
}

/** Form bodies, which the original passes on as UTF-8 strings. */
export function isFormType(type: string): boolean {
  return type.startsWith('multipart/form-data') || type === 'application/x-www-form-urlencoded';
}

/** Text-like media types, whose bodies a CloudEvents 1.0 event carries as a string. */
export function isTextType(type: string): boolean {
  return type.startsWith('text/') || isFormType(type) || type === 'application/xml' || type.endsWith('+xml');
}

function invalidJson(type: string, err: unknown): GatewayError {
  const detail = err instanceof Error ? err.message : String(err);
  return new GatewayError('GW_ERR_INVALID_EVENT', `request body is not valid JSON (Content-Type ${type}): ${detail}`);
}

/**
 * The original's payload normalisation (reference §4.3) with §19's fixes: any JSON value is kept (not only objects)
 * and the parsed media type decides (so `application/json; charset=utf-8` is JSON). Empty body → `""`; form bodies →
 * UTF-8 string; other bytes → base64 string. A JSON media type with a body that does not parse is kept as a UTF-8
 * string (`strictJson` false) or is a 400 (`strictJson` true, CloudEvents binary mode).
 */
export function normalizeBody(body: Buffer, media: MediaType, strictJson: boolean): unknown {
  if (body.length === 0) return '';
  const type = media.type;
  if (isJsonType(type)) {
    const text = body.toString('utf8');
    try {
      return parseBoundedJson(text, 'GW_ERR_INVALID_EVENT', 'Request body: ');
    } catch (err) {
      if (isGatewayError(err)) throw err;
      if (strictJson) throw invalidJson(type, err);
      return text;
    }
  }
  if (isFormType(type)) return body.toString('utf8');
  return body.toString('base64');
}

/** How a CloudEvents 1.0 event carries a body: `data` (JSON value or text) or `data_base64` (other bytes). */
export interface V1Payload {
  data?: unknown;
  data_base64?: string;
}

function textEncoding(charset: string | undefined): BufferEncoding | undefined {
  if (charset === undefined || charset === 'utf-8' || charset === 'utf8' || charset === 'us-ascii') return 'utf8';
  if (charset === 'iso-8859-1' || charset === 'latin1') return 'latin1';
  return undefined;
}

/**
 * A body as CloudEvents 1.0 data: JSON media types parsed (any JSON value), text as a string (UTF-8 or Latin-1
 * charsets), everything else as `data_base64`. An empty body gives no data.
 */
export function v1Payload(body: Buffer, media: MediaType | undefined, strictJson: boolean): V1Payload {
  if (body.length === 0) return {};
  if (media === undefined) return { data_base64: body.toString('base64') };
  const type = media.type;
  if (isJsonType(type)) {
    const text = body.toString('utf8');
    try {
      return { data: parseBoundedJson(text, 'GW_ERR_INVALID_EVENT', 'Request body: ') };
    } catch (err) {
      if (isGatewayError(err)) throw err;
      if (strictJson) throw invalidJson(type, err);
      return { data: text };
    }
  }
  if (isTextType(type)) {
    const encoding = textEncoding(media.charset);
    if (encoding !== undefined) return { data: body.toString(encoding) };
  }
  return { data_base64: body.toString('base64') };
}
