"""The corpus (tests/corpus) is well-formed, so that a run through the real agent measures the
agent and not typos: every entity, room and service it names exists, each service is one Home
Assistant really has for that entity's domain (read from Home Assistant's own services.yaml)
with data it accepts, expectations fit their category, and the counts meet issue 13's minimums."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import homeassistant.components
import pytest
import yaml  # type: ignore[import-untyped]  # ships with Home Assistant; no stubs here

from tests.corpus.corpus import CASE_KEYS, Call, Case, cases, flatten, home, raw_files

CATEGORIES = frozenset({"control", "query", "sensitive", "out_of_domain", "accessibility"})
FORMS = frozenset(
    {
        # both languages
        "textbook", "polite_opener", "particle", "device_first", "synonym", "alias",
        "short_question", "yes_no", "which", "whole_home", "whole_room", "floor", "relative",
        "bare_verb_at_station", "numbers_in_digits", "pin", "pin_in_command",
        "hard_negative", "tv_line", "weather", "news", "chat", "request_other",
        # Mandarin
        "verb_result", "yi_xia", "reduplicated", "numbers_in_chars", "shanghainese",
        # English
        "could_you", "please", "would_you_mind", "idiom", "filler", "casual",
        "numbers_in_words", "chinese_name_only",
    }
)  # fmt: skip
INTENTS = frozenset(
    {"repeat", "slower", "faster", "louder", "quieter", "help", "cancel", "time", "date"}
)
MINIMUM = {"zh": 600, "en": 300}
# Per category and language, so that 95 % of a category is a figure worth reading.
MINIMUM_PER_CATEGORY = 30
FILE_KEYS = CASE_KEYS | {"sets", "groups"}
STEP_KEYS = frozenset({"say", "calls", "answer_has", "answer_lacks", "cancelled", "pending"})
CJK = re.compile(r"[\u3400-\u9fff]")
# Actions that open the home: only ever expected after a confirmation.
OPENING = frozenset(
    {"lock.unlock", "lock.open", "alarm_control_panel.alarm_disarm", "cover.open_cover"}
)


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


# services.yaml may carry Home Assistant's own tags; their values do not matter here.
_ServicesLoader: Any = type("_ServicesLoader", (yaml.SafeLoader,), {})
_ServicesLoader.add_multi_constructor("!", _ignore_tag)


@cache
def ha_services(domain: str) -> dict[str, frozenset[str]]:
    """service -> its data fields, from Home Assistant's services.yaml for `domain`."""
    path = Path(homeassistant.components.__file__).parent / domain / "services.yaml"
    if not path.exists():
        return {}
    found: dict[str, frozenset[str]] = {}
    for service, spec in yaml.load(path.read_text(), Loader=_ServicesLoader).items():
        if service.startswith(".") or not isinstance(spec, dict | None):
            continue
        fields: set[str] = set()
        for name, field in ((spec or {}).get("fields") or {}).items():
            # Collapsed sections ("advanced_fields") nest their fields one level down.
            if isinstance(field, dict) and "fields" in field:
                fields.update(field["fields"])
            else:
                fields.add(name)
        found[service] = frozenset(fields)
    return found


def _entities() -> dict[str, dict[str, Any]]:
    return {e["entity_id"]: e for e in home()["entities"]}


def _all_calls(case: Case) -> list[Call]:
    calls = [*case.calls, *(c for alt in case.calls_one_of for c in alt)]
    return calls + [c for step in case.dialogue for c in step.calls]


def _plain(text: str) -> str:
    return re.sub(r"[\s,，。.!！?？、…;；:：\"'“”‘’]+", "", text.lower())


# --- the home


def test_home_is_big_enough_and_consistent() -> None:
    data = home()
    areas, entities = data["areas"], _entities()
    assert len(entities) >= 32
    assert len(areas) >= 8
    assert len({a["floor"] for a in areas.values()}) == 2
    for area in areas.values():
        assert area["floor"] in data["floors"]
        assert CJK.search(area["name_zh"]) and not CJK.search(area["name_en"])
    for entity_id, entity in entities.items():
        assert entity_id.partition(".")[0] == entity["domain"], entity_id
        assert entity["area"] is None or entity["area"] in areas, entity_id
        assert isinstance(entity["state"], str), f"{entity_id}: quote the state"
        assert CJK.search(entity["name_zh"]), entity_id
        name_en = entity["name_en"]
        assert name_en is None or not CJK.search(name_en), entity_id
        for alias in entity["aliases_en"]:
            assert not CJK.search(alias), entity_id
    assert set(data["sensitive"]) <= set(entities)
    assert sum(e["name_en"] is None for e in entities.values()) >= 5
    # Covered domains, and the facts the issue's classes need.
    assert {e["domain"] for e in entities.values()} >= {
        "light", "switch", "fan", "cover", "lock", "climate", "media_player", "sensor",
        "binary_sensor", "alarm_control_panel",
    }  # fmt: skip
    classes = Counter((e["domain"], e["device_class"]) for e in entities.values())
    for needed in [
        ("binary_sensor", "door"), ("binary_sensor", "window"), ("binary_sensor", "moisture"),
        ("binary_sensor", "smoke"), ("binary_sensor", "motion"), ("binary_sensor", "occupancy"),
        ("sensor", "temperature"), ("sensor", "humidity"), ("sensor", "battery"),
        ("cover", "curtain"), ("cover", "blind"), ("cover", "garage"),
    ]:  # fmt: skip
        assert classes[needed], needed
    outdoor = {a for a, spec in areas.items() if spec.get("outdoor")}
    assert any(
        e["device_class"] == "temperature" and e["area"] in outdoor for e in entities.values()
    )


# --- the utterance files


@pytest.mark.parametrize(("source", "document"), list(raw_files()), ids=lambda v: str(v)[:20])
def test_file_keys_are_known(source: str, document: dict[str, Any]) -> None:
    assert set(document) <= FILE_KEYS, source
    assert document["language"] == source.split("/", maxsplit=1)[0], source
    for group in document["groups"]:
        assert set(group) <= CASE_KEYS | {"texts"}, group
        assert group["texts"], f"{source}: a group without utterances"
        for keys, _ in flatten(source, {**document, "groups": [group]}):
            assert set(keys) <= CASE_KEYS | {"text"}, keys
            # YAML reads a bare yes, no, on, off or 2580 as a boolean or a number.
            assert isinstance(keys["text"], str), f"{source}: quote {keys['text']!r}"


def test_every_case_is_well_formed() -> None:
    entities, areas = _entities(), home()["areas"]
    sensitive = set(home()["sensitive"])
    problems: list[str] = []
    for case in cases():
        where = f"{case.source}: {case.text!r}"

        def check(condition: object, what: str, where: str = where) -> None:
            if not condition:
                problems.append(f"{where}: {what}")

        check(case.text.strip(), "empty text")
        check(case.language in MINIMUM, "language")
        check(case.category in CATEGORIES, f"category {case.category}")
        check(case.form in FORMS, f"form {case.form}")
        check(case.room is None or case.room in areas, f"room {case.room}")
        if case.language == "en":
            check(not CJK.search(case.text), "Chinese characters in an English utterance")
        else:
            check(CJK.search(case.text), "no Chinese characters in a Mandarin utterance")
        for before in case.before:
            check(isinstance(before, str), "before: strings only")
        for fact in [*case.answer_has, *(f for s in case.dialogue for f in s.answer_has)]:
            check(all(isinstance(f, str) and f for f in fact), f"answer_has {fact}: strings")
        check(all(isinstance(f, str) for f in case.answer_lacks), "answer_lacks: strings")
        for step in case.dialogue:
            check(isinstance(step.say, str), f"dialogue say {step.say!r}: quote it")
        for call in _all_calls(case):
            problems.extend(f"{where}: {p}" for p in _call_problems(call, entities))
        problems.extend(f"{where}: {p}" for p in _category_problems(case, sensitive))
    assert not problems, "\n".join(problems)


def _call_problems(call: Call, entities: dict[str, dict[str, Any]]) -> list[str]:
    domain, _, service = call.service.partition(".")
    services = ha_services(domain)
    if service not in services:
        return [f"{call.service} is not a Home Assistant service"]
    problems = [f"{call.service}: no field {k}" for k in call.data if k not in services[service]]
    if not call.entity_ids:
        problems.append(f"{call.service} names no entity")
    for entity_id in call.entity_ids:
        entity = entities.get(entity_id)
        if entity is None:
            problems.append(f"{entity_id} is not in home.yaml")
        elif entity["domain"] != domain:
            problems.append(f"{call.service} on {entity_id}")
        else:
            problems.extend(_data_problems(call, entity))
    for key, value in call.data.items():
        # A string "<0.4" or ">0" is a comparison; any other string must be a real value.
        if isinstance(value, str) and value[:1] in "<>":
            try:
                float(value[1:])
            except ValueError:
                problems.append(f"{key}: {value!r} is not a comparison")
    return problems


def _data_problems(call: Call, entity: dict[str, Any]) -> list[str]:
    """Data the entity cannot take, as its start attributes describe it."""
    attributes = entity["attributes"]
    modes = set(attributes.get("supported_color_modes", ()))
    data, problems = call.data, []
    if {"brightness_pct", "brightness_step_pct"} & set(data) and modes <= {"onoff"}:
        problems.append(f"brightness for {entity['entity_id']}, which only turns on and off")
    if {"color_name", "rgb_color"} & set(data) and not modes & {"hs", "rgb", "xy"}:
        problems.append(f"colour for {entity['entity_id']}, which has none")
    if "temperature" in data and not (
        attributes["min_temp"] <= data["temperature"] <= attributes["max_temp"]
    ):
        problems.append(f"temperature {data['temperature']} out of range")
    if "hvac_mode" in data and data["hvac_mode"] not in attributes["hvac_modes"]:
        problems.append(f"hvac_mode {data['hvac_mode']}")
    for key, low, high in (
        ("brightness_pct", 0, 100), ("position", 0, 100), ("percentage", 0, 100),
        ("volume_level", 0, 1),
    ):  # fmt: skip
        value = data.get(key)
        if isinstance(value, int | float) and not low <= value <= high:
            problems.append(f"{key} {value} out of range")
    return problems


def _category_problems(case: Case, sensitive: set[str]) -> list[str]:
    problems: list[str] = []
    expects_calls = bool(case.calls or case.calls_one_of)
    opening = [
        c
        for c in _all_calls(case)
        if c.service in OPENING and (c.domain != "cover" or set(c.entity_ids) & sensitive)
    ] + [
        c
        for c in _all_calls(case)
        if c.service == "cover.set_cover_position" and set(c.entity_ids) & sensitive
    ]
    if case.category != "sensitive":
        if opening:
            problems.append("an opening action outside the sensitive category")
        if case.confirm or case.dialogue or case.pin or case.refused:
            problems.append("confirmation fields outside the sensitive category")
    if case.category != "query" and (case.answer_yes is not None):
        problems.append("answer_yes outside queries")
    if case.category != "accessibility" and case.intent is not None:
        problems.append("intent outside accessibility")
    match case.category:
        case "control":
            if not expects_calls:
                problems.append("a control case expects no call")
            if case.calls and case.calls_one_of:
                problems.append("both calls and calls_one_of")
        case "query":
            if expects_calls:
                problems.append("a question expects a call")
            if not case.answer_has and case.answer_yes is None:
                problems.append("a question with no answer fact")
        case "out_of_domain":
            if not case.not_understood or expects_calls:
                problems.append("out of domain: not_understood and no call")
        case "accessibility":
            if case.intent not in INTENTS or expects_calls:
                problems.append(f"accessibility intent {case.intent}")
        case "sensitive":
            problems.extend(_sensitive_problems(case, opening, sensitive))
    return problems


def _sensitive_problems(case: Case, opening: list[Call], sensitive: set[str]) -> list[str]:
    problems: list[str] = []
    if case.refused:
        if case.calls or case.dialogue or case.confirm:
            problems.append("a refused command runs nothing and asks nothing")
        return problems
    if not case.confirm:
        # Locking, closing, arming: run at once, never an opening action.
        if not case.calls or opening or case.dialogue:
            problems.append("an unconfirmed sensitive case must just run a closing action")
        if not {e for c in case.calls for e in c.entity_ids} <= sensitive:
            problems.append("a sensitive case about a device that is not sensitive")
        return problems
    if case.calls or not case.dialogue:
        problems.append("a held action runs nothing on the first sentence and has a dialogue")
        return problems
    *before, last = case.dialogue
    if any(step.calls or step.cancelled for step in before):
        problems.append("only the last reply may run or cancel")
    if bool(last.calls) == last.cancelled or last.pending:
        problems.append("the last reply either runs the action or cancels it")
    if last.calls and not opening:
        problems.append("a confirmed action that opens nothing")
    if case.pin and not last.cancelled and len(before) < 1:
        problems.append("a PIN case: a yes, then the PIN")
    return problems


def test_counts_meet_the_minimums() -> None:
    by_language = Counter(c.language for c in cases())
    distinct = {lang: {_plain(c.text) for c in cases() if c.language == lang} for lang in MINIMUM}
    per_category = Counter((c.language, c.category) for c in cases())
    for language, minimum in MINIMUM.items():
        assert by_language[language] >= minimum, language
        assert len(distinct[language]) >= minimum, f"{language}: distinct sentences"
        for category in CATEGORIES:
            assert per_category[language, category] >= MINIMUM_PER_CATEGORY, (language, category)
    # Every case at each station room is a different sentence; the same sentence may come back
    # at another station, where it means another device ("开灯").
    seen = Counter((c.language, c.room, _plain(c.text)) for c in cases())
    duplicates = [key for key, n in seen.items() if n > 1]
    assert not duplicates, duplicates


def test_the_everyday_forms_of_issue_13_are_each_well_represented() -> None:
    forms = Counter((c.language, c.form) for c in cases())
    for form in (
        "polite_opener", "particle", "verb_result", "yi_xia", "reduplicated", "device_first",
        "numbers_in_chars", "synonym", "short_question", "whole_home", "whole_room",
        "bare_verb_at_station", "shanghainese", "hard_negative", "tv_line",
    ):  # fmt: skip
        assert forms["zh", form] >= 10, form
    for form in (
        "could_you", "please", "idiom", "relative", "short_question", "whole_home",
        "bare_verb_at_station", "chinese_name_only", "hard_negative",
    ):  # fmt: skip
        assert forms["en", form] >= 5, form
