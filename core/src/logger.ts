/** The logging surface core needs; a pino logger fits it. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** Warnings and errors to stderr as JSON lines; used when no logger is given. */
export function consoleLogger(bindings: Record<string, unknown> = {}): Logger {
  const write = (level: string) => (obj: object | string, msg?: string): void => {
    const fields = typeof obj === 'string' ? { msg: obj } : { ...serialise(obj), msg };
    process.stderr.write(`${JSON.stringify({ level, time: Date.now(), ...bindings, ...fields })}\n`);
  };
  const nothing = (): void => {};
  return { debug: nothing, info: nothing, warn: write('warn'), error: write('error'), child: (b) => consoleLogger({ ...bindings, ...b }) };
}

function serialise(obj: object): object {
  if (!('err' in obj) || !(obj.err instanceof Error)) return obj;
  const { err, ...rest } = obj as { err: Error };
  return { ...rest, err: { type: err.name, message: err.message, stack: err.stack } };
}
