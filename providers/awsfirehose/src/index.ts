// @switchyard/provider-awsfirehose: skeleton, filled in by its issue (#5).
export {};
