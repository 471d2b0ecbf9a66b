/**
 * Space strategies: how the Events API tells which space a request is for. Without one, routing is global, as
 * in the original (an event reaches matching subscriptions of every space).
 */
import type { IncomingHttpHeaders } from 'node:http';

export type SpaceStrategy =
  /** The space is a request header (default `x-switchyard-space`). */
  | { readonly kind: 'header'; readonly header?: string }
  /** The space is the first label of the host: `shop.events.example.com` → `shop`. */
  | { readonly kind: 'host' }
  /** The space is the first path segment, which is removed before routing: `/shop/orders` → `/orders`. */
  | { readonly kind: 'path' };

export const DEFAULT_SPACE_HEADER = 'x-switchyard-space';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The space of a request, and the path to route it by. A request that names no space belongs to `default`. */
export function resolveSpace(strategy: SpaceStrategy, headers: IncomingHttpHeaders, path: string): { space: string; path: string } {
  switch (strategy.kind) {
    case 'header': {
      const value = headers[strategy.header ?? DEFAULT_SPACE_HEADER];
      const space = Array.isArray(value) ? value[0] : value;
      return { space: space || 'default', path };
    }
    case 'host': {
      const host = (headers.host ?? '').replace(/:\d+$/, '');
      // An IP address has no subdomain: 127.0.0.1 is the default space, not space "127".
      if (IPV4.test(host) || host.startsWith('[')) return { space: 'default', path };
      const labels = host.split('.');
      return { space: labels.length >= 3 && labels[0] ? labels[0] : 'default', path };
    }
    case 'path': {
      const end = path.indexOf('/', 1);
      const space = end < 0 ? path.slice(1) : path.slice(1, end);
      return { space: space || 'default', path: end < 0 ? '/' : path.slice(end) };
    }
  }
}
