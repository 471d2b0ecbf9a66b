// @switchyard/provider-awssqs: skeleton, filled in by its issue (#5).
export {};
