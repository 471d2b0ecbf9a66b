/**
 * Config resources, all scoped by space. Field names and output order follow the Serverless Event Gateway
 * (reference §3); Switchyard's additions are optional fields.
 */

import type { RetryPolicy } from './queue.ts';

export type Metadata = Record<string, string>;

export interface EventType {
  space: string;
  name: string;
  authorizerId?: string;
  metadata?: Metadata;
}

export interface FunctionConfig {
  space: string;
  functionId: string;
  /** Provider name: `http`, `awslambda`, … */
  type: string;
  provider: Record<string, unknown>;
  metadata?: Metadata;
}

export type SubscriptionType = 'sync' | 'async';

export interface Subscription {
  space: string;
  subscriptionId: string;
  type: SubscriptionType;
  eventType: string;
  functionId: string;
  path: string;
  method: string;
  metadata?: Metadata;
  /** Switchyard: this subscription's async delivery policy, over the gateway's default; stored only when sent. */
  retryPolicy?: Partial<RetryPolicy>;
}

export interface CorsConfig {
  space: string;
  corsId: string;
  method: string;
  path: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  allowCredentials: boolean;
  metadata?: Metadata;
}

/** Store collections, named as in the Config API paths. */
export type ResourceKind = 'eventtypes' | 'functions' | 'subscriptions' | 'cors';
export const RESOURCE_KINDS: readonly ResourceKind[] = ['eventtypes', 'functions', 'subscriptions', 'cors'];

export interface ResourceByKind {
  eventtypes: EventType;
  functions: FunctionConfig;
  subscriptions: Subscription;
  cors: CorsConfig;
}

/** Methods a subscription or CORS configuration may name (reference §3.3, §3.4). */
export const HTTP_METHODS = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'] as const;
