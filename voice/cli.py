"""Command line of the voice station: `python -m voice transcribe|say|models|serve|room`.

Help texts are English (installers read them); what the program says about the user's audio,
text and models is printed in the language chosen with --lang.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .audio import read_wav
from .errors import VoiceError

if TYPE_CHECKING:
    from .models import ModelInfo

RECOGNITION_LANGUAGES = ("en", "zh", "ko")
SPEECH_LANGUAGES = ("zh", "en")


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
    from .recognition import load_recognizer  # noqa: PLC0415 - heavy import only when needed

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
    from .audio import write_wav  # noqa: PLC0415
    from .tts import Synthesizer  # noqa: PLC0415

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
    from .models import ModelStore  # noqa: PLC0415

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
    from .builtin_models import builtin_models  # noqa: PLC0415

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

    # The station's own modules declare their flags; they are imported only for these commands'
    # help, which is cheap (no model is loaded before a command runs).
    from .room import add_room_arguments, room_main  # noqa: PLC0415
    from .server import add_serve_arguments, serve_main  # noqa: PLC0415

    p = sub.add_parser("serve", help="run the station as a Wyoming server on the network")
    add_serve_arguments(p)
    p.set_defaults(func=lambda a: asyncio.run(serve_main(a)))
    p = sub.add_parser("room", help="listen in a room and answer through Home Assistant")
    add_room_arguments(p)
    p.set_defaults(func=lambda a: asyncio.run(room_main(a)))
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
