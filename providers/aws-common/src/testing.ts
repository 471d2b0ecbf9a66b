/**
 * `@switchyard/aws-common/testing`: a local AWS for the providers' tests — a real HTTP/1.1 + HTTP/2 server on
 * 127.0.0.1:0 speaking the wire protocols of the Lambda, SQS, Kinesis and Firehose SDK v3 clients, verifying every
 * request's SigV4 signature with `aws4` (independently of the SDK's signer), answering with the real AWS error shapes,
 * scriptable, and recording what it received.
 */
export { startAwsTestServer } from './testing/server.ts';
export type { AwsRequest, AwsServiceName, AwsTestServer, AwsTestServerOptions, LambdaHandler, LambdaReply } from './testing/server.ts';
export { verifySignature, parseAuthorization, MESSAGES as SIGV4_MESSAGES } from './testing/sigv4.ts';
export type { AwsError, Authorization, SignedRequest, TestCredentials } from './testing/sigv4.ts';
