"""Shared fixtures. The pytest-homeassistant-custom-component plugin is active for every test:
it only allows loopback sockets and fails a test that leaves a thread or an asyncio task behind."""
