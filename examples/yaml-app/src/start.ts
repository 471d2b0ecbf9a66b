/**
 * `npm start`: the functions (FUNCTIONS_PORT, default 8080) and `switchyard --config switchyard.yaml` (EVENTS_PORT /
 * CONFIG_PORT, default 4000 / 4001). SIGINT/SIGTERM stop the gateway (by its pid), then the functions.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFunctions } from './functions.ts';

const APP_DIR = fileURLToPath(new URL('../..', import.meta.url)); // dist/src → the example's directory
const require = createRequire(import.meta.url);
/** The `switchyard` command of the installed distribution. */
export const SWITCHYARD_BIN = join(dirname(require.resolve('switchyard/package.json')), 'dist/src/cli.js');

const eventsPort = Number(process.env['EVENTS_PORT'] ?? 4000);
const functions = await startFunctions(Number(process.env['FUNCTIONS_PORT'] ?? 8080), `http://127.0.0.1:${eventsPort}/`);
const gateway = spawn(process.execPath, [SWITCHYARD_BIN, '--config', join(APP_DIR, 'switchyard.yaml'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, FUNCTIONS_URL: functions.url, EVENTS_PORT: String(eventsPort) },
});
process.stdout.write(`functions at ${functions.url}; gateway pid ${gateway.pid}\n`);

const stop = (): void => {
  gateway.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
gateway.on('exit', (code) => {
  functions.server.close();
  functions.server.closeAllConnections();
  process.exitCode = code ?? 1;
});
