"""Room mode's audio input: a WAV file, stdin (a streamed WAV or raw 16 kHz) or the microphone."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import stat
import struct
import sys
from collections.abc import AsyncIterator

from ..audio import NotWav, check_format, read_wav
from ..errors import VoiceError

MIC_RATE = 16000
RAW_STDIN_RATE = 16000  # stdin without a WAV header is taken as 16 kHz 16-bit mono
READ_BYTES = 4096
MAX_FILE_SECONDS = 3600.0


class NoMicrophone(VoiceError):
    code = "no_microphone"
    en = "No recorder (arecord) is installed; use --input FILE.wav or --input - instead."
    zh = "没有安装录音程序（arecord）；请改用 --input 文件.wav 或 --input -。"


class AudioInput:
    """A source of 16-bit mono PCM: a WAV file, stdin (WAV or raw 16 kHz), or the microphone."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.rate = MIC_RATE
        self.live = spec == "mic"  # a real room: the speaker is heard by the microphone
        # audio comes at the pace it is spoken (a microphone, `arecord ... | voice room -`),
        # not read as fast as a file can be; known once the first chunk is read
        self.real_time = spec in ("mic", "-")
        self._proc: asyncio.subprocess.Process | None = None

    async def chunks(self) -> AsyncIterator[bytes]:
        if self.spec == "mic":
            async for chunk in self._microphone():
                yield chunk
        elif self.spec == "-":
            async for chunk in self._stdin():
                yield chunk
        else:
            pcm = await asyncio.to_thread(read_wav, self.spec, MAX_FILE_SECONDS)
            self.rate = pcm.rate
            for start in range(0, len(pcm.data), READ_BYTES):
                yield pcm.data[start : start + READ_BYTES]

    async def _microphone(self) -> AsyncIterator[bytes]:
        if shutil.which("arecord") is None:
            raise NoMicrophone
        self._proc = await asyncio.create_subprocess_exec(
            *("arecord", "-q", "-t", "raw", "-f", "S16_LE", "-c", "1", "-r", str(MIC_RATE)),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        assert self._proc.stdout is not None
        try:
            while chunk := await self._proc.stdout.read(READ_BYTES):
                yield chunk
        finally:
            await self.close()

    async def _stdin(self) -> AsyncIterator[bytes]:
        reader, whole_file = await _stdin_reader()
        self.real_time = not whole_file  # a pipe, not a file read whole (`< file.wav`)
        head = await _read_exactly(reader, 12)
        if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
            self.rate = await _skip_to_wav_data(reader)
        else:
            self.rate = RAW_STDIN_RATE
            if head:
                yield head
        while chunk := await reader.read(READ_BYTES):
            yield chunk

    async def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()


async def _stdin_reader() -> tuple[asyncio.StreamReader, bool]:
    """stdin as a stream, and whether it is a regular file (`< file.wav`): that is read
    whole, it cannot block."""
    reader = asyncio.StreamReader()
    mode = os.fstat(sys.stdin.fileno()).st_mode
    if stat.S_ISREG(mode):
        data = await asyncio.to_thread(sys.stdin.buffer.read)
        reader.feed_data(data)
        reader.feed_eof()
        return reader, True
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)
    return reader, False


async def _read_exactly(reader: asyncio.StreamReader, size: int) -> bytes:
    try:
        return await reader.readexactly(size)
    except asyncio.IncompleteReadError as err:
        return err.partial


async def _skip_to_wav_data(reader: asyncio.StreamReader) -> int:
    """Read a streamed WAV header up to its samples; returns the sample rate."""
    rate = 0
    while True:
        header = await _read_exactly(reader, 8)
        if len(header) < 8:
            raise NotWav(name="stdin", detail="no data chunk")
        kind, size = header[:4], struct.unpack("<I", header[4:])[0]
        if kind == b"data":
            if not rate:
                raise NotWav(name="stdin", detail="no fmt chunk before the data")
            return rate
        if size > 1 << 20:
            raise NotWav(name="stdin", detail="oversized header chunk")
        body = await _read_exactly(reader, size + (size & 1))
        if kind == b"fmt ":
            if len(body) < 16:
                raise NotWav(name="stdin", detail="truncated fmt chunk")
            fmt, channels, rate, _, _, bits = struct.unpack("<HHIIHH", body[:16])
            if fmt != 1:
                raise NotWav(name="stdin", detail=f"not PCM (format {fmt})")
            check_format(rate, bits // 8, channels, name="stdin")
