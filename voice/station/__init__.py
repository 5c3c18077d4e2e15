"""The station as a network service: lifecycle (station.py), one handler per client
(connection.py, transcription.py, requests.py), the events it sends (events.py), framing,
pairing and zeroconf discovery. The protocol: voice/PROTOCOL.md."""
