/**
 * The `file` provider: every invocation of a function of type `file` appends the event, as one line of JSON, to
 * the function's file (JSON Lines). Useful as an audit log, to capture traffic while developing, or as a
 * dead-simple sink in tests — and small enough to copy as the start of your own provider.
 *
 * The parts every provider has:
 *   1. `type`: the function type it serves;
 *   2. `validate`: checks a function's `provider` config when it is registered (a message → 400);
 *   3. `invoke`: calls the function; resolves with a reply, or rejects with a `GatewayError` when there is none;
 *   4. `start` / `close` (optional): connect and disconnect, from the gateway's `start` and `close` hooks;
 *   5. a factory returning a plugin: `fileProvider(options)` = `providerPlugin(new FileProvider(options))`.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  GatewayError,
  providerPlugin,
  wireEvent,
  type GatewayPlugin,
  type Invocation,
  type InvokeResult,
  type Provider,
  type ProviderConfigValidator,
} from '@switchyard/core';
import { readFileConfig, resolveIn } from './config.ts';

export interface FileProviderOptions {
  /** The directory every function's file is relative to; created at `start`. Required. */
  readonly directory: string;
}

const TYPE = 'file';

export class FileProvider implements Provider {
  readonly type = TYPE;
  readonly #directory: string;
  /** The last write to each file: writes to one file are chained, so lines never interleave and stay in order. */
  readonly #tails = new Map<string, Promise<void>>();
  #closed = false;

  constructor(options: FileProviderOptions) {
    // Options are checked once, here, and fail loud: `GW_ERR_PLUGIN_OPTIONS` stops the gateway from being built.
    if (typeof options?.directory !== 'string' || options.directory === '') {
      throw new GatewayError('GW_ERR_PLUGIN_OPTIONS', 'provider-file: directory must be a non-empty path');
    }
    this.#directory = isAbsolute(options.directory) ? options.directory : resolve(options.directory);
  }

  /** Bound (an arrow), because the gateway calls it detached. Returns a message, or undefined when valid. */
  readonly validate: ProviderConfigValidator = (config) => {
    const settings = readFileConfig(config);
    return typeof settings === 'string' ? settings : undefined;
  };

  async start(): Promise<void> {
    await mkdir(this.#directory, { recursive: true });
  }

  /** Waits for the writes in flight; later calls are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#tails.values());
  }

  invoke(invocation: Invocation): Promise<InvokeResult> {
    const fn = invocation.function;
    // No reply at all: reject with a GatewayError. GW_ERR_FUNCTION_FAILED (or _TIMEOUT) is what core expects.
    if (this.#closed) return Promise.reject(new GatewayError('GW_ERR_FUNCTION_FAILED', `Function "${fn.functionId}" call failed: the file provider is closed`));
    const settings = readFileConfig(fn.provider);
    if (typeof settings === 'string') return Promise.reject(new GatewayError('GW_ERR_FUNCTION_FAILED', `Function "${fn.functionId}" call failed: ${settings}`));
    const file = resolveIn(this.#directory, settings.path);

    // What a function receives: the event as CloudEvents JSON in the spec version it arrived in, or the payload
    // core set instead (authorizer calls).
    const record = invocation.payload === undefined
      ? wireEvent(invocation.event, invocation.specVersion)
      : { contentType: invocation.payload.contentType, payload: invocation.payload.body };
    const line = `${JSON.stringify(record)}\n`;

    const previous = this.#tails.get(file) ?? Promise.resolve();
    const write = previous.then(async () => {
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, line, 'utf8');
    });
    const tail = write.catch(() => undefined);
    this.#tails.set(file, tail);
    void tail.then(() => {
      if (this.#tails.get(file) === tail) this.#tails.delete(file);
    });

    return write.then(
      // A reply, whatever the status; core decides what is a failure (5xx). A sync subscription answers the HTTP
      // client with this body, so it is the `{statusCode, headers, body}` object core's respond stage expects.
      (): InvokeResult => ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ appended: settings.path, bytes: Buffer.byteLength(line) }),
        })),
      }),
      (err: unknown) => {
        throw new GatewayError('GW_ERR_FUNCTION_FAILED', `Function "${fn.functionId}" call failed: cannot append to ${settings.path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      },
    );
  }
}

/** The plugin: `new Gateway().use(fileProvider({ directory: './events' }))`. */
export function fileProvider(options: FileProviderOptions): GatewayPlugin {
  return providerPlugin(new FileProvider(options));
}
