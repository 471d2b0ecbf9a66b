/**
 * The upstream "function" the benchmarks call, run as its own process so its CPU is measured apart from the
 * gateway's and the load generator's. Deliberately minimal: node:http, no framework.
 *
 *   node upstream.js sync    answers every request with the sync `http.request` response object
 *   node upstream.js count   answers 200 `{}` and counts requests (async deliveries); a body with `"sent":<ms>`
 *                            (the client's send time, Date.now()) also records the end-to-end delivery latency
 *
 * Started by `startUpstream()` in lib.ts with an IPC channel: it sends `{ port }` once listening, answers
 * `'count'` with `{ count }` and `'latencies'` with `{ latencies }` (ms, since the last `'latencies'`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const mode = process.argv[2] === 'count' ? 'count' : 'sync';
const SYNC_BODY = Buffer.from(JSON.stringify({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }));
const COUNT_BODY = Buffer.from('{}');
const BODY = mode === 'sync' ? SYNC_BODY : COUNT_BODY;
const HEADERS = { 'content-type': 'application/json', 'content-length': String(BODY.length) };

const SENT = /"sent":(\d+)/;
let count = 0;
let latencies: number[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  if (mode === 'count') req.on('data', (chunk: Buffer) => chunks.push(chunk));
  else req.resume();
  req.on('end', () => {
    count++;
    const sent = chunks.length > 0 ? SENT.exec(Buffer.concat(chunks).toString('latin1'))?.[1] : undefined;
    if (sent !== undefined) latencies.push(Date.now() - Number(sent));
    res.writeHead(200, HEADERS);
    res.end(BODY);
  });
});
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});

process.on('message', (message) => {
  if (message === 'count') process.send?.({ count });
  if (message === 'latencies') {
    process.send?.({ latencies });
    latencies = [];
  }
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
