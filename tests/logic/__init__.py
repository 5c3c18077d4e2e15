"""Tests of the integration's decision logic (phrases, everyday speech, confirmation, status,
spoken answers), run without a Home Assistant instance."""
