/**
 * `RateLimitPlugin`: per-client rate limiting of the Events API, as a third-party plugin.
 *
 * It taps `hooks.auth` at `Stage.FIRST`: the auth stage runs once per event with the event's space and type known
 * (so budgets can be per space or event type), before validation, transforms, routing and any function call, and
 * `Stage.FIRST` puts it ahead of authentication plugins (`@switchyard/plugin-auth` sits at `Stage.EARLY`), so a
 * flood is refused before JWT checks or key lookups cost anything. A refusal is core's `GatewayError`
 * (`GW_ERR_RATE_LIMITED`, 429, `Retry-After`), which core turns into `{"errors":[{"message":…}]}` and reports to
 * `hooks.rejected` (metrics count it).
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError, Stage } from '@switchyard/core';
import type { EventContext, Gateway, GatewayPlugin, IncomingRequest } from '@switchyard/core';
import { TokenBuckets } from './buckets.ts';
import { PLUGIN_NAME, resolveOptions } from './options.ts';
import type { RateLimit, RateLimitOptions, ResolvedOptions } from './options.ts';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

/** The API key as `@switchyard/plugin-auth` reads it: `X-Api-Key: <key>` or `Authorization: Bearer <key>`. */
function apiKey(headers: IncomingHttpHeaders): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(header(headers, 'authorization') ?? '');
  return header(headers, 'x-api-key') ?? bearer?.[1];
}

/** Who sent the request; a request without the chosen key counts against its IP address. */
function clientOf(request: IncomingRequest, key: ResolvedOptions['key']): string {
  if (key === 'apiKey') {
    const value = apiKey(request.headers);
    // Hashed: the bucket map never holds a secret.
    if (value !== undefined) return `key:${createHash('sha256').update(value).digest('base64url')}`;
  } else if (key !== 'ip') {
    const value = header(request.headers, key.header);
    if (value !== undefined) return `header:${value}`;
  }
  return `ip:${request.remoteAddress ?? 'unknown'}`;
}

export class RateLimitPlugin implements GatewayPlugin {
  readonly name = PLUGIN_NAME;
  readonly #options: ResolvedOptions;

  constructor(options: RateLimitOptions) {
    this.#options = resolveOptions(options);
  }

  apply(gateway: Gateway): void {
    // Buckets belong to one gateway: applying the plugin to another gives it buckets of its own.
    const buckets = new TokenBuckets(this.#options.maxClients, this.#options.clock);
    gateway.hooks.auth.tap({ name: PLUGIN_NAME, stage: Stage.FIRST }, (ctx) => this.#check(buckets, ctx));
  }

  #check(buckets: TokenBuckets, ctx: EventContext): void {
    const { rules, fallback, key } = this.#options;
    const index = rules.findIndex((r) => (r.space === undefined || r.space === ctx.space) && (r.eventType === undefined || r.eventType === ctx.event.type));
    const budget: RateLimit = rules[index] ?? fallback;
    const taken = buckets.take(`${index}\u0000${ctx.space}\u0000${clientOf(ctx.request, key)}`, budget);
    if (taken.ok) return;
    const seconds = Math.max(1, Math.ceil(taken.retryInMs / 1000));
    const scope = index < 0 ? '' : ` for ${rules[index]!.eventType === undefined ? `space "${rules[index]!.space}"` : `event type "${rules[index]!.eventType}"`}`;
    throw new GatewayError('GW_ERR_RATE_LIMITED', `Rate limit exceeded: ${budget.limit} events per ${budget.intervalMs} ms${scope}. Retry in ${seconds} s.`, {
      headers: { 'Retry-After': String(seconds) },
    });
  }
}
