"""Benchmark suite: data generator, raw baseline and load runner (see bench/README.md)."""
