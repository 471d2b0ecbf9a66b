// @switchyard/provider-weighted: skeleton, filled in by its issue (#5).
export {};
