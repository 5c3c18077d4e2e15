"""Command line of the voice station: `python -m voice transcribe|say|models|serve|room`.

Help texts are English (installers read them); what the program says about the user's audio,
text and models is printed in the language chosen with --lang.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .audio import read_wav, write_wav
from .builtin_models import builtin_models
from .errors import VoiceError
from .languages import language_key
from .models import ModelInfo, ModelStore, find_model
from .recognition.recognizer import load_recognizer
from .room.listener import RoomConfig, RoomListener
from .speech.tts import Synthesizer
from .station.station import (
    DEFAULT_MAX_STREAMS,
    DEFAULT_PORT,
    DEFAULT_STATE_DIR,
    Station,
    StationConfig,
)
from .whisper_model import builtin_folder


class PhraseFileError(VoiceError):
    code = "bad_phrase_file"
    en = "The phrase file {name} cannot be used: {detail}"
    zh = "短语文件 {name} 无法使用：{detail}"


TEXTS = {
    "en": {
        "rejected": "(not understood: no allowed phrase matches)",
        "installed": "Installed {name} ({language}, {size}) in {path}",
        "no_models": "No speech models installed in {store}.",
        "verify_ok": "{name}: OK",
        "verify_bad": "{name}: PROBLEM: {problem}",
        "written": "Wrote {seconds:.1f} s of speech to {path}",
        "header": "NAME\tLANGUAGE\tENGINE\tSIZE\tVERIFIED\tPATH",
    },
    "zh": {
        "rejected": "（没听懂：没有匹配的短语）",
        "installed": "已安装 {name}（{language}，{size}）到 {path}",
        "no_models": "{store} 中没有安装语音模型。",
        "verify_ok": "{name}：正常",
        "verify_bad": "{name}：有问题：{problem}",
        "written": "已将 {seconds:.1f} 秒的语音写入 {path}",
        "header": "名称\t语言\t引擎\t大小\t已校验\t路径",
    },
}


def _texts(language: str | None) -> dict[str, str]:
    return TEXTS["zh" if (language or "en").startswith("zh") else "en"]


def read_phrase_file(path: str | Path) -> list[str]:
    """Phrases, one per line (blank lines and lines starting with # are ignored)."""
    name = Path(path).name
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise PhraseFileError(name=name, detail=err.strerror or str(err)) from err
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise PhraseFileError(
            name=name, detail=f"not UTF-8 text (byte {err.start}); save it as UTF-8"
        ) from err
    phrases = [
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]
    if not phrases:
        raise PhraseFileError(name=name, detail="it contains no phrases (one phrase per line)")
    return phrases


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover - loop always returns


def cmd_transcribe(args: argparse.Namespace) -> int:
    source: str | bytes = args.audio
    if args.audio == "-":
        source = sys.stdin.buffer.read()
    pcm = read_wav(source, name="stdin" if args.audio == "-" else None)
    phrases = read_phrase_file(args.phrases) if args.phrases else None
    recognizer = load_recognizer(args.lang, model=args.model, engine=args.engine)
    try:
        report = recognizer.set_phrases(phrases) if phrases else None
        result = recognizer.transcribe(pcm.data, pcm.rate)
    finally:
        recognizer.close()
    if args.json:
        out = result.as_dict()
        if report is not None:
            out["unusable"] = [{"phrase": p, "word": w} for p, w in report.unusable]
        print(json.dumps(out, ensure_ascii=False))
    elif result.rejected:
        print(_texts(args.lang)["rejected"])
    else:
        print(result.phrase if result.phrase is not None else result.text)
    return 0


def cmd_say(args: argparse.Namespace) -> int:
    synthesizer = Synthesizer()
    try:
        speech = synthesizer.synthesize(
            args.text, language=args.lang, rate=args.rate, volume=args.volume
        )
    finally:
        synthesizer.close()
    write_wav(args.out, speech.pcm, speech.rate)
    seconds = len(speech.pcm) / 2 / speech.rate
    print(_texts(args.lang)["written"].format(seconds=seconds, path=args.out))
    return 0


def _print_model(info: ModelInfo, texts: dict[str, str]) -> None:
    verified = {True: "yes", False: "NO", None: "-"}[info.verified]
    print(
        f"{info.name}\t{info.language}\t{info.engine}\t{_human_size(info.size_bytes)}"
        f"\t{verified}\t{info.path}"
    )
    del texts


def cmd_models(args: argparse.Namespace) -> int:
    texts = _texts(args.ui_lang)
    store = ModelStore(Path(args.store) if args.store else None)
    if args.models_command == "install":
        info = store.install(
            args.source,
            sha256=args.sha256,
            language=args.lang,
            name=args.name,
            replace=args.replace,
        )
        print(
            texts["installed"].format(
                name=info.name,
                language=info.language,
                size=_human_size(info.size_bytes),
                path=info.path,
            )
        )
        return 0
    if args.models_command == "verify":
        results = store.verify(args.name)
        status = 0
        for info, problem in results:
            if problem is None:
                print(texts["verify_ok"].format(name=info.name))
            else:
                status = 1
                print(texts["verify_bad"].format(name=info.name, problem=problem))
        if not results:
            print(texts["no_models"].format(store=store.root))
        return status
    models = store.list()
    builtin = builtin_models()
    if builtin or models:
        print(texts["header"])
    for info in builtin:
        _print_model(info, texts)
    if not models:
        print(texts["no_models"].format(store=store.root))
    for info in models:
        _print_model(info, texts)
    return 0


# --- the station: serve and room ------------------------------------------------------


def add_station_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of `python -m voice serve`, and of `room` (a station that also listens)."""
    parser.add_argument(
        "--host",
        default="0.0.0.0",  # noqa: S104 - a room station must be reachable on the LAN
        help="address to listen on (default: all)",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--name", default="Barrier-Free station", help="name shown in Home Assistant"
    )
    parser.add_argument(
        "--token-file", type=Path, help="pairing token file (default: STATE_DIR/token)"
    )
    parser.add_argument(
        "--lang", default="zh,en", help="recognition languages, comma separated (default zh,en)"
    )
    parser.add_argument(
        "--model-dir",
        type=Path,
        help="model store to take the Vosk models from (as `models --store`); "
        "default: the installed models",
    )
    parser.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="LANG=FOLDER",
        help="Vosk model folder for one language (repeatable)",
    )
    parser.add_argument(
        "--no-zeroconf", action="store_true", help="do not advertise on the network"
    )
    parser.add_argument(
        "--wyoming-zeroconf",
        action="store_true",
        help="also advertise for Home Assistant's Wyoming integration (unpaired speech-to-text "
        "and text-to-speech for anyone on the network)",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=DEFAULT_STATE_DIR,
        help="where the token, id and phrase lists live",
    )
    parser.add_argument(
        "--max-seconds", type=float, default=30.0, help="longest audio per request (default 30)"
    )
    parser.add_argument(
        "--max-streams",
        type=int,
        default=DEFAULT_MAX_STREAMS,
        help="speech-to-text requests served at once; more get 'busy' "
        f"(default {DEFAULT_MAX_STREAMS})",
    )
    parser.add_argument(
        "--output",
        default=None,
        help="'speaker' or a folder for WAV files (default: the speaker if a player is installed)",
    )


def add_room_arguments(parser: argparse.ArgumentParser) -> None:
    """The room's own flags (`room` takes the station's as well)."""
    parser.add_argument("--input", default="mic", help="'mic', a WAV file, or - for stdin")
    parser.add_argument("--wake", help="wake phrase (must be sayable in the recognition language)")
    parser.add_argument(
        "--push-to-talk", action="store_true", help="listen only after Enter / SIGUSR1"
    )
    parser.add_argument(
        "--room-lang", help="language the room listens in (default: first of --lang)"
    )
    parser.add_argument(
        "--answer-timeout", type=float, default=15.0, help="seconds to wait for an answer"
    )


def models_in_store(folder: Path, languages: Sequence[str]) -> dict[str, Path]:
    """The installed model per language in the model store `folder` (`models --store`).

    English may go without (pocketsphinx's own model), and Mandarin while the built-in
    Whisper model is there; any other language missing from the store raises ModelMissing,
    which names the store and the command that installs one.
    """
    store = ModelStore(folder)
    found: dict[str, Path] = {}
    builtin = {"en"} | ({"zh"} if builtin_folder() is not None else set())
    for lang in languages:
        info = store.find(lang)
        if info is not None or lang not in builtin:
            found[lang] = find_model(lang, store)
    return found


def config_from_args(args: argparse.Namespace) -> StationConfig:
    languages = tuple(lang.strip() for lang in str(args.lang).split(",") if lang.strip())
    models: dict[str, Path] = {}
    if args.model_dir is not None:
        models.update(models_in_store(args.model_dir, [language_key(x) for x in languages]))
    for item in args.model:
        lang, _, folder = str(item).partition("=")
        models[language_key(lang)] = Path(folder)
    return StationConfig(
        host=args.host,
        port=args.port,
        name=args.name,
        languages=languages,
        models=models,
        state_dir=args.state_dir,
        token_file=args.token_file,
        zeroconf=not args.no_zeroconf,
        wyoming_zeroconf=args.wyoming_zeroconf,
        max_seconds=args.max_seconds,
        max_streams=args.max_streams,
        output=args.output,
    )


def print_banner(station: Station) -> None:
    """What an installer needs on the console: where the station is, and the token once."""
    print(
        f"Barrier-Free station '{station.name}' (id {station.station_id}) on "
        f"{station.config.host}:{station.port}, languages {','.join(station.languages)}"
    )
    if station.token_created:
        # Printed, never logged: logs end up in diagnostics, the console stays on the box.
        print(f"Pairing token (shown once; also in {station.token_file}): {station.token}")
        print(f"配对令牌（只显示一次；也保存在 {station.token_file}）：{station.token}")
    if station.config.wyoming_zeroconf:
        print(
            "WARNING: advertised for Wyoming: anyone on this network can use speech-to-text "
            "and text-to-speech without pairing.\n"
            "警告：已通过 Wyoming 发布：本网络中的任何人无需配对即可使用语音识别和语音合成。",
            file=sys.stderr,
        )


async def wait_for_signal() -> None:
    """Return on Ctrl-C or SIGTERM."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)


async def run_station(args: argparse.Namespace, room: bool = False) -> int:
    """`python -m voice serve` (and `room`: a station that also listens in the room): run
    until Ctrl-C or SIGTERM (or until the room's input ends)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    station = Station(config_from_args(args))
    await station.start()  # VoiceError: main() prints it in the installer's language
    print_banner(station)
    try:
        if not room:
            await wait_for_signal()
            return 0
        listener = RoomListener(
            station,
            RoomConfig(
                input=args.input,
                wake=args.wake,
                push_to_talk=args.push_to_talk,
                language=args.room_lang,
                answer_timeout=args.answer_timeout,
            ),
        )
        _install_buttons(listener, keyboard=args.input != "-")
        listening = asyncio.create_task(listener.run())
        stopping = asyncio.create_task(wait_for_signal())
        done, _ = await asyncio.wait({listening, stopping}, return_when=asyncio.FIRST_COMPLETED)
        for task in (listening, stopping):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if listening in done and listening.exception() is not None:
            raise listening.exception()  # type: ignore[misc]
    finally:
        await station.stop()
    return 0


def _install_buttons(room: RoomListener, keyboard: bool) -> None:
    """Talk button: Enter on the console or SIGUSR1 (a GPIO script); help: SIGUSR2."""
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
        loop.add_signal_handler(signal.SIGUSR1, room.press, "talk")
        loop.add_signal_handler(signal.SIGUSR2, room.press, "help")
    if keyboard and room.config.push_to_talk and sys.stdin.isatty():
        stdin = io.TextIOWrapper(os.fdopen(os.dup(sys.stdin.fileno()), "rb"))

        def on_enter() -> None:
            if stdin.readline():
                room.press("talk")

        loop.add_reader(stdin.fileno(), on_enter)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m voice",
        description="Barrier-Free Home voice station: offline speech recognition and speech.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("transcribe", help="recognise speech in a WAV file (16-bit mono PCM)")
    p.add_argument("audio", help="WAV file, or - for standard input")
    p.add_argument("--lang", required=True, help="language: en, zh or ko")
    p.add_argument("--model", help="Vosk or Whisper model folder (default: the installed model)")
    p.add_argument(
        "--engine", choices=("vosk", "pocketsphinx", "whisper"), help="force a recogniser"
    )
    p.add_argument("--phrases", help="UTF-8 file, one allowed phrase per line")
    p.add_argument("--json", action="store_true", help="print text, phrase, score, rejected")
    p.set_defaults(func=cmd_transcribe)

    p = sub.add_parser("say", help="synthesise speech to a WAV file")
    p.add_argument("text", help="what to say")
    p.add_argument("--lang", required=True, help="language: zh or en")
    p.add_argument("--out", required=True, help="WAV file to write")
    p.add_argument("--rate", type=int, help="speaking rate, words per minute")
    p.add_argument("--volume", type=float, help="volume 0.0 to 1.0")
    p.set_defaults(func=cmd_say)

    p = sub.add_parser("models", help="install, list and verify speech models")
    p.add_argument(
        "--store", help="model store folder (default: $BARRIER_FREE_MODELS or ~/.local/share)"
    )
    p.add_argument("--ui-lang", default="en", help="language of the messages: en or zh")
    msub = p.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    m = msub.add_parser("list", help="list installed models")
    m = msub.add_parser("install", help="install from an https URL, a .zip/.tar.gz, or a folder")
    m.add_argument("source", help="https URL (needs --sha256), archive file or model folder")
    m.add_argument("--sha256", help="expected SHA-256 of the archive (required for URLs)")
    m.add_argument("--lang", help="language of the model (guessed from its name otherwise)")
    m.add_argument("--name", help="name to install it under")
    m.add_argument("--replace", action="store_true", help="replace an installed model of that name")
    m = msub.add_parser("verify", help="check installed models for missing or changed files")
    m.add_argument("name", nargs="?", help="only this model")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("serve", help="run the station as a Wyoming server on the network")
    add_station_arguments(p)
    p.set_defaults(func=lambda a: asyncio.run(run_station(a)))
    p = sub.add_parser("room", help="listen in a room and answer through Home Assistant")
    add_station_arguments(p)
    add_room_arguments(p)
    p.set_defaults(func=lambda a: asyncio.run(run_station(a, room=True)))
    return parser


def _message_language(args: argparse.Namespace) -> str:
    lang = getattr(args, "lang", None) or getattr(args, "ui_lang", None) or "en"
    return "zh" if str(lang).startswith("zh") else "en"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.func(args)
    except VoiceError as err:
        language = _message_language(args)
        prefix = "错误" if language == "zh" else "error"
        print(f"{prefix}: {err.message(language)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return status
