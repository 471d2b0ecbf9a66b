/**
 * `PathTree`: the route tree of sync subscriptions and CORS configurations (reference §3.3, §4.7), a port of the
 * original's `internal/pathtree/tree.go`.
 *
 * Why a custom tree and not a router library: the conflict messages of `add` are part of the wire contract (the
 * Config API answers `Subscription path conflict: <message>`), and so are the matching rules (static segment
 * first, else the one `:param` or `*wildcard` child; trailing slash significant; params `null` only for `/`).
 *
 * Shape: every node has static children, or exactly one `:param` child, or exactly one `*wildcard` child; `add`
 * refuses anything else. `resolve` walks the path once with `indexOf`, finds children through a segment hash
 * (no substring, no split, no regex), and allocates only the params object and its values.
 *
 * Two deliberate differences from the original, neither visible on the Config API: a failed `add` leaves the tree
 * unchanged (the original could leave empty nodes behind), and `delete` prunes the empty nodes it leaves.
 */

import { goQuote } from '../config/go-format.ts';

const STATIC = 0;
const PARAM = 1;
const WILDCARD = 2;
type Kind = typeof STATIC | typeof PARAM | typeof WILDCARD;

class Node<T> {
  readonly segment: string;
  readonly kind: Kind;
  /** Parameter name, without the `:` or `*`; '' for a static node. */
  readonly name: string;
  /** Children by segment hash; a bucket holds the (rare) segments sharing a hash. */
  children: Map<number, Node<T>[]> | undefined;
  childCount = 0;
  /** The `:param` or `*wildcard` child, when there is one (it is then the only child). */
  dynamic: Node<T> | undefined;
  value: T | undefined;
  hasValue = false;

  constructor(segment: string) {
    this.segment = segment;
    this.kind = segment.startsWith(':') ? PARAM : segment.startsWith('*') ? WILDCARD : STATIC;
    this.name = this.kind === STATIC ? '' : segment.slice(1);
  }

  /** The child for `path.slice(start, end)`, compared in place. */
  find(path: string, start: number, end: number): Node<T> | undefined {
    const bucket = this.children?.get(hashRange(path, start, end));
    if (bucket === undefined) return undefined;
    const length = end - start;
    for (let i = 0; i < bucket.length; i++) {
      const child = bucket[i]!;
      if (child.segment.length === length && path.startsWith(child.segment, start)) return child;
    }
    return undefined;
  }

  get(segment: string): Node<T> | undefined {
    return this.find(segment, 0, segment.length);
  }

  /** Any child: what the original's `first(children)` sees (kinds never mix, so which one does not matter). */
  any(): Node<T> | undefined {
    if (this.dynamic !== undefined) return this.dynamic;
    if (this.children === undefined) return undefined;
    for (const bucket of this.children.values()) if (bucket[0] !== undefined) return bucket[0];
    return undefined;
  }

  add(child: Node<T>): void {
    this.children ??= new Map();
    const hash = hashRange(child.segment, 0, child.segment.length);
    const bucket = this.children.get(hash);
    if (bucket === undefined) this.children.set(hash, [child]);
    else bucket.push(child);
    this.childCount++;
    if (child.kind !== STATIC) this.dynamic = child;
  }

  remove(child: Node<T>): void {
    const hash = hashRange(child.segment, 0, child.segment.length);
    const bucket = this.children?.get(hash);
    const index = bucket?.indexOf(child) ?? -1;
    if (bucket === undefined || index < 0) return;
    bucket.splice(index, 1);
    if (bucket.length === 0) this.children!.delete(hash);
    this.childCount--;
    if (this.dynamic === child) this.dynamic = undefined;
  }
}

/** FNV-1a over UTF-16 code units of `s[start, end)`. */
function hashRange(s: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function setParam(params: Record<string, string>, name: string, value: string): void {
  if (name === '__proto__') Object.defineProperty(params, name, { value, enumerable: true, writable: true, configurable: true });
  else params[name] = value;
}

/** The result of `resolve`: the route's value and its path parameters (`null` for the root route `/`). */
export interface PathMatch<T> {
  readonly value: T;
  readonly params: Record<string, string> | null;
}

/** A route tree with the original Event Gateway's matching rules and conflict messages; see the module comment. */
export class PathTree<T> {
  readonly #root = new Node<T>('');

  /**
   * Add a route (`/a`, `/users/:id`, `/files/*path`). Throws an `Error` with the original's message on a conflict,
   * e.g. `route /a conflicts with existing route` or `static route already defined for route: /:id`.
   */
  add(path: string, value: T): void {
    if (path === '/') {
      if (this.#root.hasValue) throw new Error('route / conflicts with existing route');
      this.#root.value = value;
      this.#root.hasValue = true;
      return;
    }
    const segments = toSegments(path);
    if (segments.length === 0) return; // no `/` at all: the original ignores it too
    this.#check(path, segments);
    let node = this.#root;
    for (const segment of segments) {
      let child = node.get(segment);
      if (child === undefined) node.add((child = new Node<T>(segment)));
      node = child;
    }
    node.value = value;
    node.hasValue = true;
  }

  /** The checks of the original's `AddRoute`, in its order, without touching the tree. */
  #check(path: string, segments: readonly string[]): void {
    let node: Node<T> | undefined = this.#root;
    let freshWildcard = false; // past the existing tree: whether the node `add` would create last is a wildcard
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      if (node === undefined ? freshWildcard : node.kind === WILDCARD) throw new Error('wildcard must be the last parameter');
      const exact: Node<T> | undefined = node?.get(segment);
      const sibling = exact ?? node?.any();
      if (node !== undefined && sibling !== undefined) {
        const isParam = segment.startsWith(':');
        const isWildcard = segment.startsWith('*');
        if (sibling.kind === WILDCARD || isWildcard) {
          throw new Error(`wildcard with different name (${goQuote(sibling.name)}) already defined: for route: ${path}`);
        }
        if (sibling.kind === PARAM && sibling.segment !== segment) {
          throw new Error(`parameter with different name (${goQuote(sibling.name)}) already defined: for route: ${path}`);
        }
        if (sibling.kind === STATIC && (isParam || isWildcard)) throw new Error(`static route already defined for route: ${path}`);
        if (i === segments.length - 1 && exact?.hasValue === true) throw new Error(`route ${path} conflicts with existing route`);
      }
      node = exact;
      freshWildcard = segment.startsWith('*');
    }
  }

  /**
   * Match a request path (raw, escaped, without the query). Static segments win; otherwise the single `:param`
   * (one segment) or `*wildcard` (the rest, joined with `/`) child matches. Params are `{}` when the route has
   * none, and `null` only for the root route `/`, as in the original.
   */
  resolve(path: string): PathMatch<T> | undefined {
    if (path === '/') return this.#root.hasValue ? { value: this.#root.value as T, params: null } : undefined;
    let start = path.indexOf('/') + 1;
    if (start === 0) return undefined;
    let node = this.#root;
    let params: Record<string, string> | undefined;
    for (;;) {
      const slash = path.indexOf('/', start);
      const end = slash === -1 ? path.length : slash;
      let child = node.find(path, start, end);
      if (child === undefined) {
        child = node.dynamic;
        if (child === undefined) return undefined;
      }
      node = child;
      if (node.kind === WILDCARD) {
        setParam((params ??= {}), node.name, path.slice(start));
        return node.hasValue ? { value: node.value as T, params } : undefined;
      }
      if (node.kind === PARAM) setParam((params ??= {}), node.name, path.slice(start, end));
      if (slash === -1) return node.hasValue ? { value: node.value as T, params: params ?? {} } : undefined;
      start = slash + 1;
    }
  }

  /** Remove a route, given as it was added. Resolves `false` when the tree holds no such route. */
  delete(path: string): boolean {
    if (path === '/') {
      const had = this.#root.hasValue;
      this.#root.value = undefined;
      this.#root.hasValue = false;
      return had;
    }
    const segments = toSegments(path);
    if (segments.length === 0) return false;
    const trail: Node<T>[] = [this.#root];
    for (const segment of segments) {
      const child = trail[trail.length - 1]!.get(segment);
      if (child === undefined) return false;
      trail.push(child);
    }
    const node = trail[trail.length - 1]!;
    if (!node.hasValue) return false;
    node.value = undefined;
    node.hasValue = false;
    for (let i = trail.length - 1; i > 0; i--) {
      const empty = trail[i]!;
      if (empty.hasValue || empty.childCount > 0) break;
      trail[i - 1]!.remove(empty);
    }
    return true;
  }
}

/** The original's `toSegments`: split on `/` and drop the first element. */
function toSegments(path: string): string[] {
  return path.split('/').slice(1);
}
