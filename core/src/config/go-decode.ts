/**
 * Decoding a parsed JSON value into a Go struct the way `encoding/json` does (reference §2): keys match a field's
 * JSON name exactly or else case-insensitively, unknown keys are ignored, `null` leaves a field unset, and a value
 * of the wrong kind is `json: cannot unmarshal number into Go struct field Type.name of type event.TypeName`.
 */

/** How a struct field decodes. `goType` names the Go type in error messages. */
export type FieldSpec =
  | { readonly kind: 'string'; readonly goType: string }
  | { readonly kind: 'bool' }
  | { readonly kind: 'strings' }
  | { readonly kind: 'metadata' }
  | { readonly kind: 'raw' };

/** A Go struct: its package-qualified name (`event.Type`) and its fields by JSON name, in declaration order. */
export interface StructSpec {
  readonly goType: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

/** Decoded fields by JSON name; a field absent from the input (or `null`) is absent here. */
export type Decoded = Record<string, unknown>;

/** The result of `decodeStruct`: the fields, or Go's first `UnmarshalTypeError` message. */
export type DecodeResult = { readonly ok: true; readonly fields: Decoded } | { readonly ok: false; readonly error: string };

/** Go's name for the kind of a JSON value in `cannot unmarshal <kind>`. */
export function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** Decode `value` into the struct `spec` (see the module comment). A top-level `null` decodes to no fields. */
export function decodeStruct(value: unknown, spec: StructSpec): DecodeResult {
  const fields: Decoded = {};
  if (value === null || value === undefined) return { ok: true, fields };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: `json: cannot unmarshal ${jsonKind(value)} into Go value of type ${spec.goType}` };
  }
  const struct = spec.goType.slice(spec.goType.lastIndexOf('.') + 1);
  const names = Object.keys(spec.fields);
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue; // not JSON: a programmatic caller's absent field
    const name = names.includes(key) ? key : names.find((n) => n.toLowerCase() === key.toLowerCase());
    if (name === undefined) continue;
    const error = decodeField(fields, name, spec.fields[name]!, item);
    if (error !== undefined) return { ok: false, error: `json: cannot unmarshal ${error.kind} into Go struct field ${struct}.${name} of type ${error.goType}` };
  }
  return { ok: true, fields };
}

function decodeField(fields: Decoded, name: string, spec: FieldSpec, item: unknown): { kind: string; goType: string } | undefined {
  if (spec.kind === 'raw') {
    if (item === null) delete fields[name];
    else fields[name] = item;
    return undefined;
  }
  if (item === null) {
    if (spec.kind !== 'string' && spec.kind !== 'bool') delete fields[name]; // nil map or slice; scalars keep their value
    return undefined;
  }
  switch (spec.kind) {
    case 'string':
      if (typeof item !== 'string') return { kind: jsonKind(item), goType: spec.goType };
      fields[name] = item;
      return undefined;
    case 'bool':
      if (typeof item !== 'boolean') return { kind: jsonKind(item), goType: 'bool' };
      fields[name] = item;
      return undefined;
    case 'strings': {
      if (!Array.isArray(item)) return { kind: jsonKind(item), goType: '[]string' };
      const list: string[] = [];
      for (const element of item as unknown[]) {
        if (element != null && typeof element !== 'string') return { kind: jsonKind(element), goType: 'string' };
        list.push(element ?? '');
      }
      fields[name] = list;
      return undefined;
    }
    case 'metadata': {
      if (typeof item !== 'object' || Array.isArray(item)) return { kind: jsonKind(item), goType: 'metadata.Metadata' };
      const map = (fields[name] as Record<string, string> | undefined) ?? {}; // Go reuses a map it already made
      for (const [key, element] of Object.entries(item)) {
        if (element != null && typeof element !== 'string') return { kind: jsonKind(element), goType: 'string' };
        setOwn(map, key, element ?? '');
      }
      fields[name] = map;
      return undefined;
    }
  }
}

/** `obj[key] = value`, also for the key `__proto__`. */
export function setOwn<V>(obj: Record<string, V>, key: string, value: V): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
