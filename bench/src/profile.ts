/**
 * Summarise a V8 `.cpuprofile` (from `node --cpu-prof`): top functions by self time, self time by module,
 * Switchyard functions by inclusive time, and who calls the top native / node-internal functions.
 *
 *   node bench/dist/src/profile.js FILE.cpuprofile [TOP=15]
 */
import { printProfile, summariseCpuProfile } from './lib.ts';

const [file, top = '15'] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: node bench/dist/src/profile.js FILE.cpuprofile [TOP]');
  process.exit(2);
}
printProfile(summariseCpuProfile(file, Number(top)), file);
