/** The result of the queue-like services (SQS, Kinesis, Firehose): one id, as plain text, as the original returned it. */
import type { InvokeResult } from '@switchyard/core';

const TEXT = { 'content-type': 'text/plain; charset=utf-8' } as const;

/** `{ status: 200, text/plain, body: id }`; an absent id (a malformed AWS reply) is an empty body. */
export function textResult(id: string | undefined): InvokeResult {
  return { status: 200, headers: TEXT, body: Buffer.from(id ?? '', 'utf8') };
}
