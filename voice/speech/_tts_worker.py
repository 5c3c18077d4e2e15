"""Speech worker process: one pyttsx3 engine (espeak-ng driver), driven over stdin/stdout.

Run by `voice.speech.tts.Synthesizer` as `python -m voice.speech._tts_worker WORKDIR`; not a
public interface.
pyttsx3 can hang on repeated `runAndWait` (upstream issues 126 and 194), so it lives in its own
process that the station can kill and restart without losing anything else.

Protocol (all JSON objects are one UTF-8 line):
  request   {"op": "synth", "text": str, "voice": str, "rate": int, "volume": float}
            {"op": "phonemes", "text": str, "voice": str}
  reply     {"ok": true, "size": N, ...} followed by exactly N bytes of payload
            {"ok": false, "error": "espeak_missing" | "bad_voice" | "failed", "detail": str}
On start the worker sends {"ok": true, "ready": true, "voices": [[id, name, language], ...]}
(or an "espeak_missing" error and exits). It exits when its stdin closes.

pyttsx3's `save_to_file` prints "Audio saved to ..." on stdout, so the protocol runs on a
duplicate of the original stdout and fd 1 is pointed at /dev/null.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import wave
from pathlib import Path
from typing import Any

EXIT_ESPEAK_MISSING = 3
SYNTH_ATTEMPTS = 3  # syntheses of one request before the worker gives up (and is replaced)


class _BadVoice(Exception):
    """espeak-ng cannot load the requested voice."""


class _Channel:
    """The private protocol pipe (the original stdout)."""

    def __init__(self) -> None:
        self._fd = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)  # stray prints from pyttsx3 go nowhere, not into the protocol
        os.close(devnull)
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - process-lifetime stream

    def send(self, header: dict[str, Any], payload: bytes = b"") -> None:
        header = {**header, "size": len(payload)}
        data = json.dumps(header, ensure_ascii=False).encode() + b"\n" + payload
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]


def _language_of(voice: Any) -> str:
    languages = getattr(voice, "languages", None) or [""]
    first = languages[0]
    return first.decode(errors="replace") if isinstance(first, bytes) else str(first)


class _Engine:
    """The pyttsx3 engine plus direct access to espeak-ng's phoneme translator."""

    def __init__(self, workdir: Path) -> None:
        import pyttsx3  # noqa: PLC0415 - imported here so that a missing library is reported
        from pyttsx3.drivers import _espeak  # noqa: PLC0415

        self._engine = pyttsx3.init("espeak")
        self._espeak = _espeak
        self._wav = workdir / "speech.wav"
        self._prosody: tuple[int, float] | None = None
        to_phonemes = _espeak.dll.espeak_TextToPhonemes
        to_phonemes.restype = ctypes.c_char_p
        to_phonemes.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int]
        self._to_phonemes = to_phonemes

    def voices(self) -> list[list[str]]:
        return [[v.id, v.name, _language_of(v)] for v in self._engine.getProperty("voices")]

    def _set_voice(self, voice: str) -> None:
        # Checked directly: pyttsx3 queues setProperty and would fail inside runAndWait,
        # leaving its loop marked as running.
        if self._espeak.SetVoiceByName(voice.encode()) != 0:
            raise _BadVoice(f"espeak-ng cannot load voice {voice}")

    def synth(self, text: str, voice: str, rate: int, volume: float) -> tuple[bytes, int]:
        self._set_voice(voice)
        self._engine.setProperty("voice", voice)  # synchronous in espeak-ng: cheap
        if (rate, volume) != self._prosody:
            self._engine.setProperty("rate", rate)
            self._engine.setProperty("volume", volume)
            # espeak-ng (RETRIEVAL mode) applies parameters on its own thread, and pyttsx3's
            # runAndWait calls Cancel() while that queue is busy: the new rate/volume would be
            # dropped. Wait until espeak-ng has taken them.
            self._espeak.Synchronize()
            self._prosody = (rate, volume)
        for _attempt in range(SYNTH_ATTEMPTS):
            self._wav.unlink(missing_ok=True)
            self._engine.save_to_file(text, str(self._wav))
            self._engine.runAndWait()
            # The first runAndWait of an engine returns before synthesis ends: wait for it.
            self._espeak.Synchronize()
            if self._wav.exists():
                with wave.open(str(self._wav), "rb") as wav:
                    pcm, rate = wav.readframes(wav.getnframes()), wav.getframerate()
                if pcm:
                    return pcm, rate
            # Seen about once in 100 calls after a change of rate: the file is missing or
            # holds no audio. A resident must always hear the answer: say it again.
            print("no speech after runAndWait; synthesising again", file=sys.stderr)
        raise RuntimeError(f"espeak-ng produced no audio in {SYNTH_ATTEMPTS} attempts")

    def phonemes(self, text: str, voice: str) -> str:
        """espeak-ng's phoneme mnemonics for `text`, as `espeak-ng -x -q -v VOICE` prints them."""
        self._set_voice(voice)
        # espeak_TextToPhonemes advances the pointer clause by clause until it is NULL.
        buffer = ctypes.create_string_buffer(text.encode())
        pointer = ctypes.c_char_p(ctypes.addressof(buffer))
        clauses: list[str] = []
        while pointer.value:
            result = self._to_phonemes(ctypes.byref(pointer), 1, 0)  # 1 = espeakCHARS_UTF8
            if result:
                clauses.append(result.decode(errors="replace"))
        return " ".join(clauses)


def main(argv: list[str]) -> int:
    channel = _Channel()
    try:
        engine = _Engine(Path(argv[0]))
    except (RuntimeError, OSError, ImportError) as err:
        # pyttsx3 raises RuntimeError "... eSpeak or eSpeak-ng installed" without the library
        channel.send({"ok": False, "error": "espeak_missing", "detail": str(err)})
        return EXIT_ESPEAK_MISSING
    channel.send({"ok": True, "ready": True, "voices": engine.voices()})
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            if request["op"] == "synth":
                pcm, rate = engine.synth(
                    request["text"], request["voice"], request["rate"], request["volume"]
                )
                channel.send({"ok": True, "rate": rate}, pcm)
            elif request["op"] == "phonemes":
                text = engine.phonemes(request["text"], request["voice"])
                channel.send({"ok": True}, text.encode())
            else:
                channel.send({"ok": False, "error": "failed", "detail": "unknown op"})
        except _BadVoice as err:
            channel.send({"ok": False, "error": "bad_voice", "detail": str(err)})
        except Exception as err:  # every failure must reach the caller
            channel.send({"ok": False, "error": "failed", "detail": f"{type(err).__name__}: {err}"})
            # pyttsx3 may be left mid-loop: end here, the station starts a fresh worker.
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
