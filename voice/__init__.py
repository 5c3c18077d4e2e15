"""Barrier-Free Home voice station: offline speech recognition and spoken feedback."""
