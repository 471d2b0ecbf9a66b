/**
 * The optional allow-list of hosts an HTTP function may call (DESIGN §8): `example.com`, `*.example.com`,
 * `10.0.0.7:8080`, `[::1]:3000`, or `*`. A pattern without a port matches every port. `*.example.com` matches any
 * subdomain of example.com, at any depth, but not example.com itself. Matching is case-insensitive.
 */
import { GatewayError } from '@switchyard/core';

/** Decides whether a host (`URL.hostname`, IPv6 in brackets) and port may be called. */
export type HostMatcher = (hostname: string, port: string) => boolean;

interface HostPattern {
  /** Exact host, or the suffix (`.example.com`) of a wildcard pattern. */
  readonly host: string;
  readonly wildcard: boolean;
  /** undefined: any port. */
  readonly port: string | undefined;
}

const PORT = /^[0-9]{1,5}$/;

function invalid(pattern: string, why: string): GatewayError {
  return new GatewayError('GW_ERR_PLUGIN_OPTIONS', `provider-http: allowHosts pattern "${pattern}" is invalid: ${why}`);
}

function parsePattern(raw: string): HostPattern {
  const pattern = raw.trim().toLowerCase();
  if (pattern === '') throw invalid(raw, 'it is empty');
  let host = pattern;
  let port: string | undefined;
  if (pattern.startsWith('[')) {
    const end = pattern.indexOf(']');
    if (end < 0) throw invalid(raw, 'an IPv6 address needs a closing "]"');
    host = pattern.slice(0, end + 1);
    const rest = pattern.slice(end + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) throw invalid(raw, 'expected ":port" after "]"');
      port = rest.slice(1);
    }
  } else {
    const colon = pattern.indexOf(':');
    if (colon >= 0 && colon === pattern.lastIndexOf(':')) {
      host = pattern.slice(0, colon);
      port = pattern.slice(colon + 1);
    } else if (colon >= 0) {
      host = `[${pattern}]`; // a bare IPv6 address
    }
  }
  if (port === '*') port = undefined;
  else if (port !== undefined && (!PORT.test(port) || Number(port) > 65535)) throw invalid(raw, 'the port must be a number (0-65535) or "*"');
  if (host === '*') return { host: '', wildcard: true, port };
  if (host.startsWith('*.')) {
    const suffix = host.slice(1);
    if (suffix.length < 2 || suffix.includes('*')) throw invalid(raw, 'a wildcard must be followed by a domain');
    return { host: suffix, wildcard: true, port };
  }
  if (host === '' || host.includes('*')) throw invalid(raw, 'a wildcard is only allowed as a leading "*." or alone');
  return { host, wildcard: false, port };
}

/** Compiles the patterns once. Throws `GW_ERR_PLUGIN_OPTIONS` for a malformed pattern. */
export function compileAllowList(patterns: readonly string[]): HostMatcher {
  if (!Array.isArray(patterns)) throw new GatewayError('GW_ERR_PLUGIN_OPTIONS', 'provider-http: allowHosts must be an array of strings');
  const compiled = patterns.map((pattern) => {
    if (typeof pattern !== 'string') throw new GatewayError('GW_ERR_PLUGIN_OPTIONS', 'provider-http: allowHosts must be an array of strings');
    return parsePattern(pattern);
  });
  return (hostname, port) => {
    const host = hostname.toLowerCase();
    for (const pattern of compiled) {
      if (pattern.port !== undefined && pattern.port !== port) continue;
      if (pattern.wildcard ? host.endsWith(pattern.host) && host.length > pattern.host.length : host === pattern.host) return true;
    }
    return false;
  };
}

/** The port a URL connects to: its explicit port, or the scheme's default. */
export function effectivePort(url: URL): string {
  return url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
}
