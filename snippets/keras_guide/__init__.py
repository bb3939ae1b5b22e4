"""Helpers the guide's pages share: claims, page set-up, BatchNormalization probes."""
