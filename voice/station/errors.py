"""Errors the station tells its clients (as `error` events) and its installer (at start)."""

from __future__ import annotations

from ..errors import VoiceError


class PairingRequired(VoiceError):
    code = "pairing_required"
    en = "Pair first (bf-hello, then bf-pair) before '{event}'."
    zh = "请先配对（先发送 bf-hello，再发送 bf-pair），然后才能发送“{event}”。"


class BadToken(VoiceError):
    code = "bad_token"
    en = (
        "The pairing proof is wrong: this client does not hold the station's token. "
        "Copy it again from the station's token file."
    )
    zh = "配对证明不正确：此客户端没有语音站的令牌。请从语音站的令牌文件重新复制。"


class PairingOutdated(VoiceError):
    code = "pairing_outdated"
    en = (
        "This client sent the pairing token itself, which this station never accepts "
        "(protocol {protocol} proves the token without sending it). Update the client."
    )
    zh = (
        "此客户端直接发送了配对令牌，本语音站不接受"
        "（协议 {protocol} 只证明持有令牌而不发送它）。请更新客户端。"
    )


class PairingTimeout(VoiceError):
    code = "pairing_timeout"
    en = "The connection was closed: it did not pair within {seconds:g} seconds."
    zh = "连接已关闭：未在 {seconds:g} 秒内完成配对。"


class UnexpectedEvent(VoiceError):
    code = "unexpected_event"
    en = "'{event}' cannot come now: {detail}."
    zh = "现在不能发送“{event}”：{detail_zh}。"


class UnknownEvent(VoiceError):
    code = "unknown_event"
    en = "The station does not know the event type '{event}'."
    zh = "语音站不认识事件类型“{event}”。"


class BadRequest(VoiceError):
    code = "bad_request"
    en = "The '{event}' event has a missing or wrong field '{field}': {detail}."
    zh = "“{event}”事件的字段“{field}”缺失或有误：{detail}。"


class TooManyPhrases(VoiceError):
    code = "too_many_phrases"
    en = "The phrase list has {count} different phrases; at most {limit} are accepted."
    zh = "短语列表有 {count} 个不同的短语，最多接受 {limit} 个。"


class RecognitionFailed(VoiceError):
    code = "recognition_failed"
    en = "Speech recognition failed on this request: {detail}"
    zh = "本次语音识别失败：{detail}"


class SpeechFailed(VoiceError):
    code = "speech_failed"
    en = "Speech synthesis failed on this request: {detail}"
    zh = "本次语音合成失败：{detail}"


class StationBusy(VoiceError):
    code = "busy"
    en = (
        "The station is already recognising {limit} requests at once; try again when one has ended."
    )
    zh = "语音站已在同时识别 {limit} 个请求，请等其中一个结束后再试。"


class PortInUse(VoiceError):
    code = "port_in_use"
    en = (
        "Port {port} on {host} is already in use (is another station running?). "
        "Stop it or choose another port with --port."
    )
    zh = (
        "{host} 上的端口 {port} 已被占用（是否已有语音站在运行？）。"
        "请停止它或用 --port 换一个端口。"
    )


class BindFailed(VoiceError):
    code = "bind_failed"
    en = "The station cannot listen on {host} port {port}: {detail}"
    zh = "语音站无法在 {host} 的端口 {port} 上监听：{detail}"
