/**
 * The parts of `@serverless/event-gateway-sdk@0.11.0` (CommonJS, untyped) that the compatibility suite uses, as read
 * from its `lib/*.js`. Every method returns a promise; config methods reject with `Error('Failed to … due the error:
 * <message>')` when the status is not the exact expected one (201 create, 200 update/list, 204 delete).
 */
declare module '@serverless/event-gateway-sdk' {
  namespace EventGateway {
    type Metadata = Record<string, string>;
    /** Query filters for list calls: `{ 'metadata.<key>': '<value>' }`, sent with `querystring.stringify`. */
    type Filters = Record<string, string>;

    /** The `fetch` the SDK calls (isomorphic-fetch, i.e. node-fetch 1.x, by default). */
    type Fetch = (url: string, init?: FetchInit) => Promise<FetchResponse>;

    interface FetchInit {
      method?: string;
      body?: string;
      headers?: Record<string, string>;
    }

    /** The response object of node-fetch 1.x (what `emit` resolves to). */
    interface FetchResponse {
      readonly status: number;
      readonly headers: { get(name: string): string | null };
      text(): Promise<string>;
      json(): Promise<unknown>;
    }

    interface Options {
      /** Events API URL; `http://` is prepended when it has no scheme. */
      url: string;
      /** Default: `<protocol>//<hostname>:4001` of `url`. */
      configurationUrl?: string;
      /** Connector service (not part of the gateway). Default `http://localhost:4002`. */
      connectorUrl?: string;
      /** Default `default`. */
      space?: string;
      /**
       * Sent as `Authorization: bearer <key>` on config calls. NB: 0.11.0 keeps it only for hosted URLs
       * (`*.eventgateway*.io`, `*.slsgateway.com`); elsewhere only `EVENT_GATEWAY_ACCESS_KEY` is used.
       */
      accessKey?: string;
      fetch?: Fetch;
    }

    /** A CloudEvents 0.1 event as the SDK sends it (`JSON.stringify`d as is). A type alias, so it fits `Input`. */
    type CloudEventV01 = {
      eventType: string;
      eventTypeVersion?: string;
      cloudEventsVersion: string;
      source: string;
      eventID: string;
      eventTime?: string;
      schemaURL?: string;
      extensions?: Record<string, unknown>;
      contentType?: string;
      data?: unknown;
    };

    interface EmitOptions {
      /** Default `/`; a leading `/` is added when missing. */
      path?: string;
      headers?: Record<string, string>;
    }

    interface EventType {
      space: string;
      name: string;
      authorizerId?: string;
      metadata?: Metadata;
    }

    interface Function {
      space: string;
      functionId: string;
      type: string;
      provider: Record<string, string>;
      metadata?: Metadata;
    }

    interface Subscription {
      space: string;
      subscriptionId: string;
      type: 'async' | 'sync';
      eventType: string;
      functionId: string;
      path: string;
      method: string;
      metadata?: Metadata;
    }

    interface CORS {
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

    /** Bodies are sent as given (extra keys such as `space` included); the server decides what counts. */
    type Input<T> = Partial<T> & Record<string, unknown>;
  }

  class EventGateway {
    constructor(options: EventGateway.Options);
    readonly config: {
      readonly eventsUrl: string;
      readonly configurationUrl: string;
      readonly connectorUrl: string;
      readonly space: string;
      readonly accessKey?: string;
    };

    emit(event: EventGateway.Input<EventGateway.CloudEventV01>, options?: EventGateway.EmitOptions): Promise<EventGateway.FetchResponse>;

    createEventType(params: EventGateway.Input<EventGateway.EventType>): Promise<EventGateway.EventType>;
    updateEventType(params: EventGateway.Input<EventGateway.EventType>): Promise<EventGateway.EventType>;
    deleteEventType(params: { name: string }): Promise<undefined>;
    listEventTypes(filters?: EventGateway.Filters): Promise<EventGateway.EventType[]>;

    createFunction(params: EventGateway.Input<EventGateway.Function>): Promise<EventGateway.Function>;
    updateFunction(params: EventGateway.Input<EventGateway.Function>): Promise<EventGateway.Function>;
    deleteFunction(params: { functionId: string }): Promise<undefined>;
    listFunctions(filters?: EventGateway.Filters): Promise<EventGateway.Function[]>;

    subscribe(params: EventGateway.Input<EventGateway.Subscription>): Promise<EventGateway.Subscription>;
    unsubscribe(params: { subscriptionId: string }): Promise<undefined>;
    listSubscriptions(filters?: EventGateway.Filters): Promise<EventGateway.Subscription[]>;

    createCORS(params: EventGateway.Input<EventGateway.CORS>): Promise<EventGateway.CORS>;
    updateCORS(params: EventGateway.Input<EventGateway.CORS>): Promise<EventGateway.CORS>;
    deleteCORS(params: { corsId: string }): Promise<undefined>;
    listCORS(filters?: EventGateway.Filters): Promise<EventGateway.CORS[]>;

    // create/update/delete/listConnection(s) talk to the separate connector service (port 4002), not to the
    // gateway; they are deliberately not declared here.
  }

  export = EventGateway;
}
