/**
 * The compiled schemas of one gateway, cached per (space, event type name, schema).
 *
 * Two levels: the event-type definition object the routing table holds (a `WeakMap`, so the per-event lookup is one
 * map read and replaced definitions are collected) and, behind it, (space, name) → the last schema compiled with
 * its JSON text, so the definition that reaches the table after a Config API write (a copy made by the store) or
 * through the store watch (another gateway, a restart, a file store) reuses the validator compiled when the
 * write was checked. A schema is compiled once per change, never per event.
 */
import type { EventType, Logger } from '@switchyard/core';
import type { CompiledSchema, SchemaCompiler } from './compiler.ts';

interface Entry {
  readonly text: string;
  readonly compiled: CompiledSchema;
}

/** An event type as stored, with the field this plugin adds. */
export type EventTypeWithSchema = EventType & { readonly schema?: unknown };

export interface SchemaStats {
  /** Schemas compiled so far (Config API checks, store changes, first uses). */
  readonly compilations: number;
  /** (space, name) pairs with a compiled schema in the cache. */
  readonly cached: number;
}

const SEP = '\u0000';

export class SchemaRegistry {
  readonly #compiler: SchemaCompiler;
  readonly #logger: Logger;
  readonly #byName = new Map<string, Entry>();
  readonly #byDefinition = new WeakMap<object, CompiledSchema>();
  #compilations = 0;

  constructor(compiler: SchemaCompiler, logger: Logger) {
    this.#compiler = compiler;
    this.#logger = logger;
  }

  get stats(): SchemaStats {
    return { compilations: this.#compilations, cached: this.#byName.size };
  }

  /**
   * Check the schema an event type is about to be stored with (Config API). A schema that compiles is kept for
   * when the stored definition comes back through the watch; one that does not is returned for a 400.
   */
  check(space: string, name: string, schema: unknown): CompiledSchema {
    const text = jsonText(schema);
    const key = space + SEP + name;
    const cached = this.#byName.get(key);
    if (cached !== undefined && text !== undefined && cached.text === text && cached.compiled.ok) return cached.compiled;
    const compiled = this.#compile(schema);
    if (compiled.ok && text !== undefined) this.#byName.set(key, { text, compiled });
    return compiled;
  }

  /**
   * The compiled schema of a stored definition, or undefined when it has none. Compiles on the first sight of a
   * new (space, name, schema); a stored schema that does not compile is logged as an error once, and returned as
   * such so its events are refused.
   */
  of(definition: EventTypeWithSchema): CompiledSchema | undefined {
    if (definition.schema === undefined) return undefined;
    const known = this.#byDefinition.get(definition);
    if (known !== undefined) return known;
    const text = jsonText(definition.schema);
    const key = definition.space + SEP + definition.name;
    const cached = this.#byName.get(key);
    let compiled: CompiledSchema;
    if (cached !== undefined && text !== undefined && cached.text === text) {
      compiled = cached.compiled;
    } else {
      compiled = this.#compile(definition.schema);
      if (text !== undefined) this.#byName.set(key, { text, compiled });
      if (!compiled.ok) {
        this.#logger.error(
          { space: definition.space, eventType: definition.name, problem: compiled.problem },
          `schema of event type "${definition.name}" cannot be compiled: its events are refused (500) until it is fixed`,
        );
      }
    }
    this.#byDefinition.set(definition, compiled);
    return compiled;
  }

  /** The event type was deleted. */
  forget(space: string, name: string): void {
    this.#byName.delete(space + SEP + name);
  }

  #compile(schema: unknown): CompiledSchema {
    this.#compilations++;
    return this.#compiler.compile(schema);
  }
}

/** The schema's JSON text (its cache identity), or undefined for a value JSON cannot hold. */
function jsonText(schema: unknown): string | undefined {
  try {
    return JSON.stringify(schema);
  } catch {
    return undefined;
  }
}
