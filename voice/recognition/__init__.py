"""Offline speech recognition: the recogniser and its streams (recognizer.py), the engine
interface (engine.py) with one file per engine, phrase grammars (phrases.py), the live feeder
(live.py) and silence trimming (trimming.py)."""
