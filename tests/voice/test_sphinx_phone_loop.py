"""The pocketsphinx phone loop (rejection decode) on the C API, decoded beside the grammar."""

from __future__ import annotations

import threading

from tests.speech import silence, synth
from voice.recognition.recognizer import load_recognizer
from voice.recognition.sphinx_engine import CythonPhoneLoop, PhoneLoop, _model_files, phone_loop


def test_c_phone_loop_scores_as_the_cython_binding() -> None:
    files = _model_files(None)
    fast = phone_loop(files)
    assert isinstance(fast, PhoneLoop)
    slow = CythonPhoneLoop(files)
    pcm = silence(0.2) + synth("lock the front door") + silence(0.3)
    try:
        for loop in (fast, slow):
            loop.start()
            loop.process(pcm)
            loop.end()
        assert fast.segments() == slow.segments()
        assert len(fast.segments()) > 3
    finally:
        fast.close()
        fast.close()  # twice is harmless


def test_whole_utterance_decodes_as_in_chunks_and_leaves_no_thread() -> None:
    """A whole utterance (both decoders at once, on two threads) gives what 40 ms chunks give
    (one after the other); no helper thread outlives the call."""
    recognizer = load_recognizer("en")
    try:
        recognizer.set_phrases(["lock the front door", "play some music"])
        pcm = silence(0.2) + synth("play some music") + silence(0.3)
        recognizer.transcribe(pcm, 16000)  # the fresh decoder's first utterance
        whole = recognizer.transcribe(pcm, 16000)
        stream = recognizer.stream(16000)
        for start in range(0, len(pcm), 1280):
            stream.feed(pcm[start : start + 1280])
        chunked = stream.finish()
        assert whole.phrase == chunked.phrase == "play some music"
        chat = silence(0.2) + synth("the weather will be sunny tomorrow") + silence(0.3)
        assert recognizer.transcribe(chat, 16000).rejected
        assert not [t for t in threading.enumerate() if t.name == "sphinx-phone-loop"]
    finally:
        recognizer.close()
