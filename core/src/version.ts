import { createRequire } from 'node:module';

/** The version of `@switchyard/core`, read from its package.json (from `dist/src/` when built, `src/` under a TS loader). */
export const VERSION: string = (() => {
  const require = createRequire(import.meta.url);
  for (const candidate of ['../../package.json', '../package.json']) {
    try {
      const pkg = require(candidate) as { name?: string; version?: string };
      if (pkg.name === '@switchyard/core' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  throw new Error('@switchyard/core: package.json not found next to the code');
})();
