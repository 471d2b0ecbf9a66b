/**
 * `ValidationPlugin`: the validation stage. Event types get an optional `schema` (JSON Schema of the event's
 * `data`, draft-07 or 2020-12), checked and compiled when the event type is written through the Config API (a bad
 * schema is a 400) and when it arrives through the store watch; every event of a type with a schema is validated,
 * and refused with a 400 listing every violation. With `strictEventTypes`, events of unregistered types are refused.
 */
import type { ValidateFunction } from 'ajv';
import { GatewayError, Stage } from '@switchyard/core';
import type { CloudEvent, ConfigResource, ConfigResourceInput, EventContext, Gateway, GatewayPlugin, StoreChange } from '@switchyard/core';
import { SchemaCompiler } from './compiler.ts';
import { SchemaRegistry } from './registry.ts';
import type { EventTypeWithSchema, SchemaStats } from './registry.ts';
import { dataOf, mismatchError, tooDeepError } from './violations.ts';

export const PLUGIN_NAME = 'ValidationPlugin';

export interface ValidationOptions {
  /** Refuse (400) events whose type is not registered. Default false. */
  readonly strictEventTypes?: boolean;
  /** Assert `format` keywords (ajv-formats); false makes `format` an annotation only. Default true. */
  readonly formats?: boolean;
}

const OPTION_NAMES: readonly (keyof ValidationOptions)[] = ['strictEventTypes', 'formats'];

/** The message prefix of the Config API's 400s for event types (as core's own). */
const INVALID_EVENT_TYPE = "Event Type doesn't validate. Validation error: ";

function optionsError(message: string): GatewayError {
  return new GatewayError('GW_ERR_PLUGIN_OPTIONS', `${PLUGIN_NAME}: ${message}`);
}

function checkOptions(options: unknown): Required<ValidationOptions> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw optionsError('options must be an object');
  const given = options as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (!(OPTION_NAMES as readonly string[]).includes(name)) {
      throw optionsError(`unknown option "${name}" (known: ${OPTION_NAMES.join(', ')})`);
    }
  }
  for (const name of OPTION_NAMES) {
    if (given[name] !== undefined && typeof given[name] !== 'boolean') throw optionsError(`"${name}" must be a boolean`);
  }
  return { strictEventTypes: given['strictEventTypes'] === true, formats: given['formats'] !== false };
}

export class ValidationPlugin implements GatewayPlugin {
  readonly name = PLUGIN_NAME;
  readonly #options: Required<ValidationOptions>;
  readonly #registries = new WeakMap<Gateway, SchemaRegistry>();

  constructor(options: ValidationOptions = {}) {
    this.#options = checkOptions(options);
  }

  /** Compilation counters of this plugin on `gateway` (undefined if it was not applied there). */
  stats(gateway: Gateway): SchemaStats | undefined {
    return this.#registries.get(gateway)?.stats;
  }

  apply(gateway: Gateway): void {
    const { strictEventTypes, formats } = this.#options;
    const logger = gateway.logger.child({ plugin: PLUGIN_NAME });
    const registry = new SchemaRegistry(new SchemaCompiler({ formats, logger }), logger);
    this.#registries.set(gateway, registry);
    let unwatch: (() => void) | undefined;

    gateway.hooks.configResource.tap({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, (resource, input) => withSchema(registry, resource, input));

    // Event types written elsewhere (another gateway, a restart, a file store) are compiled when they arrive, so a
    // stored schema that no longer compiles is reported at once, not at its first event.
    gateway.hooks.start.tapPromise({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, async () => {
      unwatch = await gateway.store.watch((change) => watched(registry, change));
    });
    gateway.hooks.close.tap({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, () => {
      unwatch?.();
      unwatch = undefined;
    });

    gateway.hooks.validation.tap({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, (ctx: EventContext) => {
      const type = ctx.event.type;
      const definition: EventTypeWithSchema | undefined = gateway.table.eventTypeFor(ctx.space, type);
      if (definition === undefined) {
        if (strictEventTypes) throw new GatewayError('GW_ERR_VALIDATION', `Event type ${JSON.stringify(type)} is not registered.`);
        return;
      }
      const compiled = registry.of(definition);
      if (compiled === undefined) return;
      if (!compiled.ok) {
        throw new GatewayError('GW_ERR_HOOK_FAILED', `schema for event type ${JSON.stringify(type)} cannot be compiled`, { expose: true });
      }
      validate(compiled.validate, ctx.event);
    });
  }
}

/** Run a compiled validator on an event's data; throw the 400 when it does not match. */
function validate(check: ValidateFunction, event: CloudEvent): void {
  const data = dataOf(event);
  let valid: boolean;
  try {
    valid = check(data);
  } catch (err) {
    // A recursive schema ($ref to itself) walks the data as deep as it goes; a body can nest deeper than the stack.
    if (err instanceof RangeError) throw tooDeepError(event.type, err);
    throw err;
  }
  if (!valid) throw mismatchError(event.type, check.errors ?? []);
}

/** The `configResource` tap: check and keep `schema` on event types that send one. */
function withSchema(registry: SchemaRegistry, resource: ConfigResource, input: ConfigResourceInput): ConfigResource {
  if (input.kind !== 'eventtypes' || !Object.hasOwn(input.body, 'schema')) return resource;
  const schema = input.body['schema'];
  if (schema === null) {
    throw new GatewayError('GW_ERR_VALIDATION', `${INVALID_EVENT_TYPE}schema is invalid: a JSON Schema must be an object or a boolean (omit "schema" for none)`);
  }
  const compiled = registry.check(input.space, (resource as EventTypeWithSchema).name, schema);
  if (!compiled.ok) throw new GatewayError('GW_ERR_VALIDATION', `${INVALID_EVENT_TYPE}schema is invalid: ${compiled.problem}`);
  return Object.assign({}, resource, { schema });
}

/** The store watch: compile event types' schemas as they arrive; forget deleted ones. Never throws. */
function watched(registry: SchemaRegistry, change: StoreChange): void {
  if (change.op === 'delete') {
    if (change.key.kind === 'eventtypes') registry.forget(change.key.space, change.key.id);
    return;
  }
  if (change.entry.kind !== 'eventtypes') return;
  const definition = change.entry.value;
  if (typeof definition === 'object' && definition !== null) registry.of(definition as EventTypeWithSchema);
}
