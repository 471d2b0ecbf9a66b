// @switchyard/aws-common: skeleton, filled in by its issue (#5).
export {};
