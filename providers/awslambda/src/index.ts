// @switchyard/provider-awslambda: skeleton, filled in by its issue (#5).
export {};
