// Entry point of dist/k8s-client.js: @kubernetes/client-node in a bundle of its own, so the
// extension loads its megabytes only when a cluster is first contacted, not at activation.
export * from '@kubernetes/client-node';
