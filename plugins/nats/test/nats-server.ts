/** The private `nats-server` launcher for this package's tests (also exported as `@switchyard/plugin-nats/testing`). */
export { findNatsServer, startNatsServer } from '../src/testing.ts';
export type { NatsServerHandle } from '../src/testing.ts';
