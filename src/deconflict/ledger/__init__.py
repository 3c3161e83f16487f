"""The record no party can rewrite: canonical entries, a Merkle log, signed checkpoints."""
