/**
 * The auth stage (`hooks.auth`, `Stage.EARLY`): who is calling the Events API.
 *
 * 1. Any authorization the client put in the event itself is removed (`eventgatewayauthorization`; on 0.1 events
 *    `extensions.eventgateway.authorization`): functions must be able to trust what they find there.
 * 2. The request's credentials are split (see `credentials.ts`) and verified once per request (a batch's events
 *    share the result): an API key against the key index, a JWT with `jose`. A credential that is presented is
 *    always verified, required or not: a bad one is a 401, never silently ignored.
 * 3. Required but absent: 401. An API key limited to event types, for another type: 403. With spaces isolated
 *    (a space strategy), a key of another space: 403. A JWT whose keys cannot be had (the JWKS is down): 503, the
 *    gateway's problem, not the caller's.
 * 4. The caller's authorization (the JWT's when there is one, else the API key's) is set on
 *    `ctx.state.authorization` and attached to the event (`attach.ts`).
 */
import type { EventContext, Gateway, IncomingRequest } from '@switchyard/core';
import { Stage } from '@switchyard/core';
import { attachAuthorization, stripAuthorization } from './attach.ts';
import type { ApiKeyRegistry, IndexedKey } from './apikeys/registry.ts';
import { presentedCredentials } from './credentials.ts';
import { credentialsRequired, forbidden, unauthorized } from './errors.ts';
import type { Authorization } from './types.ts';
import { PLUGIN_NAME } from './types.ts';

export const EVENTS_REALM = 'switchyard';
const BATCH_MEDIA_TYPE = 'application/cloudevents-batch+json';

/**
 * Verifies a JWT: resolves its claims, or rejects with a `GatewayError`: a 401 naming the token's problem, or a 503
 * when the keys to verify it cannot be had (the JWKS is down).
 */
export interface JwtVerifier {
  verify(token: string): Promise<Readonly<Record<string, unknown>>>;
}

export interface CallerAuthOptions {
  readonly apiKeys?: { readonly registry: ApiKeyRegistry; readonly required: boolean };
  readonly jwt?: { readonly verifier: JwtVerifier; readonly required: boolean };
}

interface Verified {
  readonly apiKey: IndexedKey | undefined;
  readonly claims: Readonly<Record<string, unknown>> | undefined;
}

export class CallerAuth {
  readonly #options: CallerAuthOptions;
  /** One verification per batch request: its events share it. */
  readonly #batches = new WeakMap<IncomingRequest, Promise<Verified>>();

  constructor(options: CallerAuthOptions) {
    this.#options = options;
  }

  apply(gateway: Gateway): void {
    gateway.hooks.auth.tapPromise({ name: PLUGIN_NAME, stage: Stage.EARLY }, (ctx) => this.authenticate(ctx));
  }

  async authenticate(ctx: EventContext): Promise<void> {
    ctx.event = stripAuthorization(ctx.event);
    const { apiKeys, jwt } = this.#options;
    if (apiKeys === undefined && jwt === undefined) return;
    const verified = this.#verified(ctx.request);
    const { apiKey, claims } = verified instanceof Promise ? await verified : verified;
    let authorization: Authorization | undefined;
    if (apiKey !== undefined) {
      const { identity, eventTypes } = apiKey;
      if (ctx.spaceScoped && identity.space !== ctx.space) {
        throw forbidden(`API key "${identity.keyId}" belongs to space "${identity.space}", not "${ctx.space}".`);
      }
      if (eventTypes !== undefined && !eventTypes.has(ctx.event.type)) {
        throw forbidden(`API key "${identity.keyId}" may not emit events of type "${ctx.event.type}".`);
      }
      ctx.state.apiKey = identity;
      authorization = apiKey.authorization;
    }
    if (claims !== undefined) {
      ctx.state.jwt = claims;
      authorization = { principalId: typeof claims['sub'] === 'string' ? claims['sub'] : '', context: claims };
    }
    if (authorization !== undefined) {
      ctx.state.authorization = authorization;
      ctx.event = attachAuthorization(ctx.event, authorization);
    }
  }

  /** The request's verified credentials; a batch's events share one verification. */
  #verified(request: IncomingRequest): Verified | Promise<Verified> {
    if (!isBatch(request)) return this.#verify(request);
    let pending = this.#batches.get(request);
    if (pending === undefined) this.#batches.set(request, (pending = Promise.resolve().then(() => this.#verify(request))));
    return pending;
  }

  /** Synchronous unless a JWT has to be verified. Throws (or rejects with) the 401. */
  #verify(request: IncomingRequest): Verified | Promise<Verified> {
    const { apiKeys, jwt } = this.#options;
    const presented = presentedCredentials(request.headers, apiKeys !== undefined, jwt !== undefined);
    let apiKey: IndexedKey | undefined;
    if (apiKeys !== undefined) {
      if (presented.apiKey !== undefined) {
        apiKey = apiKeys.registry.verify(presented.apiKey);
        if (apiKey === undefined) throw unauthorized('Invalid API key.', EVENTS_REALM);
      } else if (apiKeys.required) {
        throw credentialsRequired('API key required: send "Authorization: Bearer <key>" or "X-Api-Key: <key>".', EVENTS_REALM);
      }
    }
    if (jwt !== undefined) {
      if (presented.jwt !== undefined) return jwt.verifier.verify(presented.jwt).then((claims) => ({ apiKey, claims }));
      if (jwt.required) throw credentialsRequired('JWT required: send "Authorization: Bearer <token>".', EVENTS_REALM);
    }
    return { apiKey, claims: undefined };
  }
}

function isBatch(request: IncomingRequest): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && type.trimStart().toLowerCase().startsWith(BATCH_MEDIA_TYPE);
}
