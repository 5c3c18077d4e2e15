"""Room mode: the station listens in the room (listener.py) through a voice detector (vad.py)
from an audio input (audio_input.py), and says its own sentences (sayings.py)."""
