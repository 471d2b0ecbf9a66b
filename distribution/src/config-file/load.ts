/**
 * Reading `switchyard.yaml`: YAML (eemeli/yaml, with a `LineCounter` so every problem has a line and column),
 * `${VAR}` / `${VAR:-default}` substitution in scalar values (`$${` is a literal `${`), then the file's JSON Schema
 * (ajv, every violation at once). Every problem names the file, the path in the document
 * (`spaces.default.functions[1].provider.url`), its line:column and what is wrong; they are thrown together as one
 * `ConfigFileError`.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { RetryPolicy } from '@switchyard/core';
import { CONFIG_FILE_SCHEMA } from './schema.ts';

/** A key of a mapping or an index of a sequence. */
export type PathSegment = string | number;

export interface ConfigProblem {
  readonly file: string;
  /** Where in the document, e.g. `spaces.default.functions[1].provider.url`; empty for the whole document. */
  readonly path: string;
  /** 1-based, when known. */
  readonly line?: number;
  readonly col?: number;
  readonly message: string;
}

/** One or more problems with a config file; `message` lists them, one a line (`file:line:col: path: problem`). */
export class ConfigFileError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigFileError';
    this.problems = problems;
  }
}

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.col ?? 1}`;
  return `${where}: ${problem.path === '' ? '' : `${problem.path}: `}${problem.message}`;
}

/** `spaces.default.functions[1].provider.url`; keys that are not identifiers are quoted (`metadata["a.b"]`). */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

// ---- the file's contents, once valid

export interface GatewaySection {
  readonly dev?: boolean;
  readonly host?: string;
  readonly configPort?: number;
  readonly eventsPort?: number;
  readonly dataDir?: string;
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  readonly logFormat?: 'text' | 'json';
  readonly workers?: number;
  readonly workersBacklog?: number;
  readonly bodyLimit?: number;
  readonly envelope?: '1.0' | '0.1';
  readonly spaceStrategy?: 'header' | 'host' | 'path';
  readonly shutdownTimeout?: number;
  readonly maxHops?: number;
  readonly retryPolicy?: Partial<RetryPolicy>;
}

/** A plugin loaded from a package or a file; see "External plugins" in the README. */
export interface ExternalPluginSpec {
  readonly package?: string;
  readonly path?: string;
  /** The export to use. Default `default`. */
  readonly export?: string;
  readonly options?: Readonly<Record<string, unknown>>;
}

type PluginSetting = Readonly<Record<string, unknown>> | false;

export interface PluginsSection {
  readonly auth?: PluginSetting;
  readonly validation?: PluginSetting;
  readonly transform?: PluginSetting;
  readonly metrics?: PluginSetting;
  readonly http?: Readonly<Record<string, unknown>>;
  readonly nats?: Readonly<Record<string, unknown>> & { readonly servers: string | readonly string[] };
  /** The AWS providers' shared options (`endpoint`, `maxAttempts`, `timeoutMs`, …), or `false`. */
  readonly aws?: PluginSetting;
  readonly weighted?: PluginSetting;
  /** The `nats` provider's connection (default in cluster mode: the cluster's), or `false`. */
  readonly natsProvider?: (Readonly<Record<string, unknown>> & { readonly servers: string | readonly string[] }) | false;
  readonly external?: readonly ExternalPluginSpec[];
}

/** Config API bodies, as `POST /v1/spaces/:space/<kind>` takes them. */
export type ResourceBody = Readonly<Record<string, unknown>>;

export interface ApiKeyDeclaration {
  /** The whole key, `sy_<keyId>_<secret>` (put it in an environment variable: `key: ${CI_API_KEY}`). */
  readonly key: string;
  readonly name?: string;
  readonly eventTypes?: readonly string[];
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface SpaceSection {
  readonly functions?: readonly ResourceBody[];
  readonly eventTypes?: readonly ResourceBody[];
  readonly subscriptions?: readonly ResourceBody[];
  readonly cors?: readonly ResourceBody[];
  readonly apiKeys?: readonly ApiKeyDeclaration[];
}

export interface ConfigFileContents {
  readonly version?: 1;
  readonly gateway?: GatewaySection;
  readonly plugins?: PluginsSection;
  /** Delete resources of the declared spaces that the file does not declare. Default false. */
  readonly prune?: boolean;
  readonly spaces?: Readonly<Record<string, SpaceSection>>;
}

export interface ConfigFile {
  /** As given (used in messages). */
  readonly file: string;
  /** Absolute directory of the file: relative plugin paths and `dataDir` are resolved against it. */
  readonly dir: string;
  readonly contents: ConfigFileContents;
  /** A problem at `path`, with the line and column of the deepest node of the document on that path. */
  problem(path: readonly PathSegment[], message: string): ConfigProblem;
}

/** Read, substitute and validate a config file; throws `ConfigFileError`. */
export async function readConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigFileError([{ file, path: '', message: `cannot read the config file: ${reason}` }]);
  }
  return parseConfigFile(text, file, env);
}

/** Parse, substitute and validate a config file's text; throws `ConfigFileError`. */
export function parseConfigFile(text: string, file: string, env: NodeJS.ProcessEnv = process.env): ConfigFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): { line?: number; col?: number } => {
    if (offset === undefined) return {};
    const { line, col } = lineCounter.linePos(offset);
    return { line, col };
  };
  if (doc.errors.length > 0) {
    throw new ConfigFileError(doc.errors.map((e) => ({ file, path: '', ...at(e.pos[0]), message: `YAML syntax error: ${firstLine(e.message)}` })));
  }
  const problem = (path: readonly PathSegment[], message: string): ConfigProblem => ({
    file, path: formatPath(path), ...at(deepestNode(doc, path)?.range?.[0]), message,
  });
  const substitutionProblems: ConfigProblem[] = [];
  substitute(doc.contents, [], env, (path, message) => substitutionProblems.push(problem(path, message)));
  if (substitutionProblems.length > 0) throw new ConfigFileError(substitutionProblems);

  const data: unknown = doc.toJS() ?? {};
  const validate = compiledSchema();
  if (!validate(data)) throw new ConfigFileError(schemaProblems(validate.errors ?? [], data, problem));
  return { file, dir: dirname(resolve(file)), contents: data as ConfigFileContents, problem };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

// ---- ${VAR} substitution

const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const VARIABLE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/** Replace references in every scalar value (not keys) of the document, in place. */
function substitute(node: unknown, path: PathSegment[], env: NodeJS.ProcessEnv, report: (path: PathSegment[], message: string) => void): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      substitute(pair.value, [...path, key], env, report);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => substitute(item, [...path, index], env, report));
  } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
    const raw = node.value;
    const missing: string[] = [];
    let whole = false;
    const replaced = raw.replace(REFERENCE, (match: string, inner: string | undefined, offset: number) => {
      if (match === '$${') return '${';
      const variable = inner === undefined ? undefined : VARIABLE.exec(inner);
      if (!variable) {
        missing.push(`invalid variable reference "${match}" (write \${NAME} or \${NAME:-default}; $\${ is a literal \${)`);
        return match;
      }
      whole = offset === 0 && match.length === raw.length;
      const [, name, fallback] = variable as unknown as [string, string, string | undefined];
      const value = env[name];
      if (value !== undefined && (value !== '' || fallback === undefined)) return value;
      if (fallback !== undefined) return fallback;
      missing.push(`environment variable ${name} is not set (give a default with \${${name}:-default})`);
      return match;
    });
    for (const message of missing) report(path, message);
    // `port: ${PORT}` (plain, nothing else) takes the variable's YAML type: a number or a boolean.
    node.value = whole && node.type === Scalar.PLAIN ? plainScalar(replaced) : replaced;
  }
}

function plainScalar(text: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

// ---- schema problems

type Validator = ReturnType<Ajv['compile']>;
let validator: Validator | undefined;

function compiledSchema(): Validator {
  validator ??= new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(CONFIG_FILE_SCHEMA);
  return validator;
}

function schemaProblems(
  errors: readonly ErrorObject[], data: unknown, problem: (path: readonly PathSegment[], message: string) => ConfigProblem,
): ConfigProblem[] {
  // anyOf/oneOf report each branch's failure as well: keep one message per alternative set.
  const branches = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const out: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (branches.some((b) => b !== error && b.instancePath === error.instancePath && error.schemaPath.startsWith(`${b.schemaPath}/`))) continue;
    let path = pointerSegments(error.instancePath, data);
    let message = describe(error, errors);
    if (error.keyword === 'additionalProperties') {
      path = [...path, String(error.params['additionalProperty'])];
      message = `unknown field (allowed here: ${allowedFields(error)})`;
    }
    const result = problem(path, message);
    const key = `${result.path}\u0000${result.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(result);
  }
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

function describe(error: ErrorObject, all: readonly ErrorObject[]): string {
  switch (error.keyword) {
    case 'enum':
      return `must be one of ${(error.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(error.params['allowedValue'])}`;
    case 'oneOf':
    case 'anyOf': {
      const alternatives = all
        .filter((e) => e !== error && e.instancePath === error.instancePath && e.schemaPath.startsWith(`${error.schemaPath}/`))
        .map((e) => describe(e, all));
      if (error.keyword === 'oneOf' && error.params['passingSchemas'] != null) return 'give exactly one of "package" or "path"';
      return alternatives.length > 0 ? [...new Set(alternatives)].join(', or ') : error.message ?? 'is invalid';
    }
    case 'required':
      return error.schemaPath.includes('/oneOf/') ? 'give exactly one of "package" or "path"' : `needs the field "${String(error.params['missingProperty'])}"`;
    default:
      return error.message ?? 'is invalid';
  }
}

function allowedFields(error: ErrorObject): string {
  const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ? Object.keys(properties).join(', ') : 'none';
}

/** JSON pointer → path segments; indexes of arrays become numbers. */
function pointerSegments(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let current: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(current)) {
      const index = Number(segment);
      out.push(index);
      current = current[index];
    } else {
      out.push(segment);
      current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[segment] : undefined;
    }
  }
  return out;
}

/** The node at `path`, or its deepest ancestor in the document. */
function deepestNode(doc: Document, path: readonly PathSegment[]): YamlNode | undefined {
  for (let length = path.length; length >= 0; length--) {
    const prefix = path.slice(0, length);
    const node = prefix.length === 0 ? doc.contents : doc.getIn(prefix, true);
    if (node && typeof node === 'object' && 'range' in node) {
      // For a key the value of which is missing, point at the key.
      return node as YamlNode;
    }
  }
  return undefined;
}
