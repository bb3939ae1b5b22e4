"""Helpers shared by the pages of the guide: claims, page set-up, BatchNormalization probes."""
