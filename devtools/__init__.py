"""Developer tools: synthetic test photos and competitor-style copies for tests and benchmarks. Not shipped."""
