/**
 * The app's functions: small handlers behind one Node HTTP server (each would be its own Lambda or container in
 * production). `GET /_calls` lists what each worker received, for the smoke test.
 *
 *   /users/get     sync  GET  /users/:id  → the user, or 404
 *   /users/create  sync  POST /users      → 201 the user; emits `user.created` to the gateway's Events API
 *   /welcome-mail  async user.created (filtered: newsletter = true)
 *   /audit         async user.created
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

interface User {
  readonly id: string;
  readonly email: string;
  readonly newsletter: boolean;
}

/** The HTTP reply a sync function gives the gateway (the Event Gateway's contract). */
function httpReply(statusCode: number, body: unknown): string {
  return JSON.stringify({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

export interface Functions {
  readonly url: string;
  readonly server: Server;
}

/** Start the functions on `port` (0: a free one); `eventsUrl` is where `create-user` emits `user.created`. */
export async function startFunctions(port: number, eventsUrl: string): Promise<Functions> {
  const users = new Map<string, User>();
  const calls: Record<string, unknown[]> = { 'welcome-mail': [], audit: [] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void handle(req.url ?? '', Buffer.concat(chunks).toString('utf8')).then(
        (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(body),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err)),
      );
    });
  });

  async function handle(url: string, text: string): Promise<string> {
    if (url === '/_calls') return JSON.stringify(calls);
    const event = JSON.parse(text) as { type: string; data: { params?: Record<string, string>; body?: unknown } & Record<string, unknown> };
    switch (url) {
      case '/users/get': {
        const user = users.get(event.data.params?.['id'] ?? '');
        return user ? httpReply(200, user) : httpReply(404, { errors: [{ message: 'no such user' }] });
      }
      case '/users/create': {
        const input = (event.data.body ?? {}) as Partial<User>;
        if (typeof input.email !== 'string') return httpReply(400, { errors: [{ message: 'email is required' }] });
        const user: User = { id: randomUUID(), email: input.email, newsletter: input.newsletter === true };
        users.set(user.id, user);
        const emitted = await fetch(eventsUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/cloudevents+json' },
          body: JSON.stringify({ specversion: '1.0', type: 'user.created', source: '/yaml-app/users', id: randomUUID(), data: user }),
        });
        if (emitted.status !== 202) throw new Error(`emitting user.created: ${emitted.status} ${await emitted.text()}`);
        return httpReply(201, user);
      }
      case '/welcome-mail':
      case '/audit':
        calls[url.slice(1)]!.push(event.data);
        return '{}';
      default:
        return httpReply(404, { errors: [{ message: `no function at ${url}` }] });
    }
  }

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
