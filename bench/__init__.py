"""Benchmark suite: data generator, raw baseline and load runner (see docs/performance.md)."""
