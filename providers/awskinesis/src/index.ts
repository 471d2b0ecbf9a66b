// @switchyard/provider-awskinesis: skeleton, filled in by its issue (#5).
export {};
