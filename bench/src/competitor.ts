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

// The competitor packages are optional (not dependencies of this workspace), so they are loaded by name and typed
// here with just the part this file uses.
interface UndiciModule {
  Pool: new (origin: string, options: { connections: number }) => {
    request(options: { path: string; method: string; headers: Record<string, string>; body?: IncomingMessage }): Promise<{
      statusCode: number;
      headers: Record<string, string | string[] | undefined>;
      body: { arrayBuffer(): Promise<ArrayBuffer> };
    }>;
  };
}
interface KoaContext { req: IncomingMessage; status: number; type: string; body: unknown }
type KoaModule = new () => { use(middleware: (ctx: KoaContext) => Promise<void>): void; callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void> };
type FastGatewayModule = (options: { routes: { prefix: string; pathRegex: string; prefixRewrite: string; target: string }[] }) => {
  start(port: number, host: string): Promise<unknown>;
  getServer(): Server;
};
type FastifyModule = (options: { logger: boolean }) => {
  register(plugin: unknown, options: Record<string, unknown>): Promise<unknown>;
  listen(options: { port: number; host: string }): Promise<unknown>;
  server: Server;
};

class Missing extends Error {}

/** The module's default export (or the module), typed as the caller says: see the interfaces above. */
async function load<T>(name: string): Promise<T> {
  try {
    const mod = (await import(name)) as { default?: unknown };
    return (mod.default ?? mod) as T;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') throw new Missing(name);
    throw err;
  }
}

/** One undici Pool to the upstream: the reply is read whole and sent back with its content type. */
async function undiciForwarder(upstream: string): Promise<(req: IncomingMessage) => Promise<{ status: number; type: string; body: Buffer }>> {
  const { Pool } = await load<UndiciModule>('undici');
  const pool = new Pool(upstream, { connections: 128 });
  return async (req) => {
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const res = await pool.request({ path: req.url ?? '/', method: req.method ?? 'GET', headers: { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' }, ...(hasBody ? { body: req } : {}) });
    const body = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode, type: String(res.headers['content-type'] ?? 'application/octet-stream'), body };
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
      const Koa = await load<KoaModule>('koa');
      const forward = await undiciForwarder(upstream);
      const app = new Koa();
      app.use(async (ctx) => {
        const r = await forward(ctx.req);
        ctx.status = r.status;
        ctx.type = r.type;
        ctx.body = r.body;
      });
      const handle = app.callback();
      // Koa answers its own errors (ctx.onerror), so the request promise may float.
      return listen(createServer((req, res) => void handle(req, res)));
    }
    case 'fast-gateway': {
      const gateway = await load<FastGatewayModule>('fast-gateway');
      const server = gateway({ routes: [{ prefix: '/bench', pathRegex: '', prefixRewrite: '/bench', target: upstream }] });
      const listening = (await server.start(0, '127.0.0.1')) as Server | undefined;
      return ((listening ?? server.getServer()).address() as AddressInfo).port;
    }
    case 'fastify-http-proxy': {
      const fastify = await load<FastifyModule>('fastify');
      const proxy = await load<unknown>('@fastify/http-proxy');
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
