"""Command line: parses arguments into ``BuildOptions`` and library calls, and prints what they return. No logic of its own."""
