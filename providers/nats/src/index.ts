// @switchyard/provider-nats: skeleton, filled in by its issue (#5).
export {};
