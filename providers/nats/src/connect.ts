/**
 * The provider's NATS connection options, checked in the constructor, and turned into nats.js `ConnectionOptions`.
 */
import { readFileSync } from 'node:fs';
import { credsAuthenticator, type ConnectionOptions } from '@nats-io/transport-node';
import { GatewayError } from '@switchyard/core';

/** How the provider reaches NATS. */
export interface NatsConnectionSettings {
  /** One URL, several, or a comma-separated list: `nats://a:4222,nats://b:4222`. Required. */
  readonly servers: string | readonly string[];
  /** Connection name shown by `nats server report connections`. Default `switchyard-provider-nats`. */
  readonly name?: string;
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  /** A `.creds` file (JWT + NKey seed), as made by `nsc`. Read in `start`. */
  readonly credsFile?: string;
  /** TLS: CA, client certificate and key files. Setting it (even `{}`) requires TLS. */
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
  /** Timeout of the first connection attempt, ms. Default 5000. */
  readonly connectTimeoutMs?: number;
}

function optionsError(message: string): GatewayError {
  return new GatewayError('GW_ERR_PLUGIN_OPTIONS', `provider-nats: ${message}`);
}

function optionalString(value: unknown, name: string): void {
  if (value !== undefined && (typeof value !== 'string' || value === '')) throw optionsError(`${name} must be a non-empty string`);
}

/** The server URLs, or throws `GW_ERR_PLUGIN_OPTIONS`. */
export function serverList(servers: unknown): string[] {
  const list = typeof servers === 'string' ? [servers] : Array.isArray(servers) ? servers : undefined;
  if (list === undefined || list.some((s) => typeof s !== 'string')) throw optionsError('servers must be a URL string or an array of them');
  const urls = (list as string[]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  if (urls.length === 0) throw optionsError('servers must name at least one NATS server (nats://host:4222)');
  return urls;
}

/** Checks the settings (throws `GW_ERR_PLUGIN_OPTIONS`); returns a maker of connection options for `connect`. */
export function connectionOptions(settings: NatsConnectionSettings): () => ConnectionOptions {
  const servers = serverList(settings?.servers);
  for (const name of ['name', 'user', 'pass', 'token', 'credsFile'] as const) optionalString(settings[name], name);
  if ((settings.user === undefined) !== (settings.pass === undefined)) throw optionsError('user and pass go together');
  const tls = settings.tls;
  if (tls !== undefined) {
    if (typeof tls !== 'object' || tls === null) throw optionsError('tls must be an object { caFile?, certFile?, keyFile? }');
    for (const name of ['caFile', 'certFile', 'keyFile'] as const) optionalString(tls[name], `tls.${name}`);
    if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) throw optionsError('tls.certFile and tls.keyFile go together');
  }
  const timeout = settings.connectTimeoutMs ?? 5_000;
  if (!Number.isInteger(timeout) || timeout <= 0) throw optionsError('connectTimeoutMs must be a positive integer');
  return () => ({
    servers,
    name: settings.name ?? 'switchyard-provider-nats',
    timeout,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // Without this, every request builds Error objects with stack traces up front, in case it fails.
    noAsyncTraces: true,
    ...(settings.user !== undefined ? { user: settings.user, pass: settings.pass } : {}),
    ...(settings.token !== undefined ? { token: settings.token } : {}),
    ...(settings.credsFile !== undefined ? { authenticator: credsAuthenticator(readFileSync(settings.credsFile)) } : {}),
    ...(tls !== undefined ? { tls: { ...tls } } : {}),
  });
}
