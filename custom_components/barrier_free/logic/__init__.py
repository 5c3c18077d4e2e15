"""Plain decisions of the integration: no Home Assistant, testable on their own."""
