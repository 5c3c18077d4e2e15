"""Benchmarks of the voice station (run as `python -m bench.<name>`)."""
