/**
 * A competitor proxy for compare.ts, in its own process: forwards every request to the upstream and sends its
 * reply back as it is.
 *
 *   node competitor.js <kind> <upstream origin>
 *
 * Kinds: node-undici (node:http + undici Pool: the floor of a Node proxy), koa-undici (hand-rolled Koa + undici),
 * fast-gateway, fastify-http-proxy (fastify + @fastify/http-proxy). Packages are loaded with dynamic import, so
 * a missing one only skips its kind: the process sends `{ missing }` over IPC and exits 3. Once listening it sends
 * `{ port }`.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Third-party modules loaded without types. */
type Any = any;

class Missing extends Error {}

async function load(name: string): Promise<Any> {
  try {
    const mod = (await import(name)) as { default?: unknown };
    return mod.default ?? mod;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') throw new Missing(name);
    throw err;
  }
}

/** One undici Pool to the upstream: the reply is read whole and sent back with its content type. */
async function undiciForwarder(upstream: string): Promise<(req: IncomingMessage) => Promise<{ status: number; type: string; body: Buffer }>> {
  const { Pool } = await load('undici') as { Pool: Any };
  const pool = new Pool(upstream, { connections: 128 });
  return async (req) => {
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const res = await pool.request({ path: req.url ?? '/', method: req.method ?? 'GET', headers: { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' }, ...(hasBody ? { body: req } : {}) });
    const body = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode as number, type: String(res.headers['content-type'] ?? 'application/octet-stream'), body };
  };
}

async function start(kind: string, upstream: string): Promise<number> {
  switch (kind) {
    case 'node-undici': {
      const forward = await undiciForwarder(upstream);
      const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        forward(req).then(
          (r) => {
            res.writeHead(r.status, { 'content-type': r.type, 'content-length': r.body.length });
            res.end(r.body);
          },
          () => {
            res.writeHead(502);
            res.end();
          },
        );
      });
      return listen(server);
    }
    case 'koa-undici': {
      const Koa = await load('koa');
      const forward = await undiciForwarder(upstream);
      const app = new Koa();
      app.use(async (ctx: Any) => {
        const r = await forward(ctx.req);
        ctx.status = r.status;
        ctx.type = r.type;
        ctx.body = r.body;
      });
      return listen(createServer(app.callback()));
    }
    case 'fast-gateway': {
      const gateway = await load('fast-gateway');
      const server = gateway({ routes: [{ prefix: '/bench', pathRegex: '', prefixRewrite: '/bench', target: upstream }] });
      const listening = (await server.start(0, '127.0.0.1')) as Server | undefined;
      return ((listening ?? server.getServer()).address() as AddressInfo).port;
    }
    case 'fastify-http-proxy': {
      const fastify = await load('fastify');
      const proxy = await load('@fastify/http-proxy');
      const app = fastify({ logger: false });
      await app.register(proxy, { upstream, prefix: '/bench', rewritePrefix: '/bench' });
      await app.listen({ port: 0, host: '127.0.0.1' });
      return (app.server.address() as AddressInfo).port;
    }
    default:
      throw new Error(`unknown competitor ${kind}`);
  }
}

function listen(server: Server): Promise<number> {
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

const [kind = '', upstream = ''] = process.argv.slice(2);
start(kind, upstream).then(
  (port) => process.send?.({ port }),
  (err: unknown) => {
    if (err instanceof Missing) {
      process.send?.({ missing: err.message }, () => process.exit(3));
      return;
    }
    process.stderr.write(`${kind}: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
