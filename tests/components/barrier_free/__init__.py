"""Tests of the Barrier-Free Home integration against a real voice station on loopback."""
