"""What the station says: text to speech (tts.py, run in _tts_worker.py) and the one
announcement queue with its earcons and outputs (announce.py)."""
