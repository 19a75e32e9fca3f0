"""Benchmarks (`make bench`): the project measured against a bare ceiling on this machine."""
