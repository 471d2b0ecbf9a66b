/**
 * One generic client for a Config API collection under `/v1/spaces/:space/<collection>`: list (with filters), get,
 * create, update, delete, with the server's exact success codes (200, 200, 201, 200, 204). Every resource of the
 * SDK is an instance of it; nothing is written per resource but its path, list key and id escaping.
 */
import type { RequestOptions, Transport } from './http.ts';
import type { ListFilter } from './types.ts';

/** What a collection needs from its client: where the Config API is, and the headers of each call. */
export interface ConfigContext {
  readonly transport: Transport;
  /** `http://host:4001`, without a trailing slash. */
  readonly configUrl: string;
  readonly space: string;
  /** Headers for a Config API call, with or without a JSON body. */
  headers(json: boolean): Headers;
}

export interface CollectionSpec<F> {
  /** The path segment: `functions`, `eventtypes`, `cors`, … */
  readonly collection: string;
  /** The key of the list reply: `{"functions":[…]}`. */
  readonly listKey: string;
  /**
   * How an id goes into the URL. Default: `encodeURIComponent`. CORS ids are already escaped (`GET%2Fhello`) and go
   * in as they are.
   */
  readonly escapeId?: (id: string) => string;
  /** The list query for a filter. Default: `metadata.<key>=<value>` per metadata entry. */
  readonly query?: (filter: F) => URLSearchParams;
}

/** `metadata.<key>=<value>` for every entry of `filter.metadata` (the server ANDs them). */
export function metadataQuery(filter: ListFilter): URLSearchParams {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filter.metadata ?? {})) query.append(`metadata.${key}`, value);
  return query;
}

/**
 * A collection of resources `T`, created from `C` (replying `Created`), updated from `U`, listed with filter `F`.
 * Methods reject with `SwitchyardError` (e.g. 404 `Function "x" not found.`, 409, 400 with the validation message).
 */
export class ResourceClient<T, C, U, Created = T, F = ListFilter> {
  protected readonly ctx: ConfigContext;
  protected readonly spec: CollectionSpec<F>;

  constructor(ctx: ConfigContext, spec: CollectionSpec<F>) {
    this.ctx = ctx;
    this.spec = spec;
  }

  /** `/v1/spaces/<space>/<collection>[/<id>]` as a full URL. */
  protected url(id?: string, suffix = ''): string {
    const base = `${this.ctx.configUrl}/v1/spaces/${encodeURIComponent(this.ctx.space)}/${this.spec.collection}`;
    if (id === undefined) return base;
    return `${base}/${(this.spec.escapeId ?? encodeURIComponent)(id)}${suffix}`;
  }

  /** `GET …/<collection>`: every resource of the space whose metadata matches the filter, sorted by id. */
  async list(filter?: F, options?: RequestOptions): Promise<T[]> {
    const query = filter === undefined ? '' : (this.spec.query ?? (metadataQuery as (f: F) => URLSearchParams))(filter).toString();
    const url = query === '' ? this.url() : `${this.url()}?${query}`;
    const body = await this.ctx.transport.json<Record<string, T[] | undefined>>({
      method: 'GET', url, headers: this.ctx.headers(false), expect: [200], options,
    });
    return body?.[this.spec.listKey] ?? [];
  }

  /** `GET …/<collection>/<id>`. */
  get(id: string, options?: RequestOptions): Promise<T> {
    return this.ctx.transport.json<T>({ method: 'GET', url: this.url(id), headers: this.ctx.headers(false), expect: [200], options });
  }

  /** `POST …/<collection>` (201). */
  create(input: C, options?: RequestOptions): Promise<Created> {
    return this.ctx.transport.json<Created>({
      method: 'POST', url: this.url(), headers: this.ctx.headers(true), body: JSON.stringify(input), expect: [201], options,
    });
  }

  /** `PUT …/<collection>/<id>` (200): the whole resource is replaced by `input`. */
  update(id: string, input: U, options?: RequestOptions): Promise<T> {
    return this.ctx.transport.json<T>({
      method: 'PUT', url: this.url(id), headers: this.ctx.headers(true), body: JSON.stringify(input), expect: [200], options,
    });
  }

  /** `DELETE …/<collection>/<id>` (204). */
  async delete(id: string, options?: RequestOptions): Promise<void> {
    await this.ctx.transport.send({ method: 'DELETE', url: this.url(id), headers: this.ctx.headers(false), expect: [204], options });
  }
}
