/**
 * What the auth plugin adds to a gateway's per-event state, and the shape of an authorization.
 */
export const PLUGIN_NAME = 'AuthPlugin';

/**
 * An authorization, as the original's authorizer functions return it (reference §5): who (`principalId`) and what
 * the authorizer wants functions to know (`context`). Authorizer contexts hold strings; a JWT's context holds its
 * claims as they are (any JSON value); an API key's holds `{ keyId, space, name?, metadata? }`.
 */
export interface Authorization {
  readonly principalId: string;
  readonly context: Readonly<Record<string, unknown>>;
}

/** The verified API key of a request. */
export interface ApiKeyIdentity {
  readonly space: string;
  readonly keyId: string;
  readonly name?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

declare module '@switchyard/core' {
  interface EventState {
    /**
     * The authorization that applies to the event: the caller's after the auth stage (JWT, else API key), replaced
     * during `prepare`, target by target, by the verdict of the event type's authorizer function when there is one
     * (and put back for targets without one). Filters and transforms of a target see that target's.
     */
    authorization?: Authorization;
    /** The API key the request presented, once verified. */
    apiKey?: ApiKeyIdentity;
    /** The verified claims of the request's JWT. */
    jwt?: Readonly<Record<string, unknown>>;
  }
}
