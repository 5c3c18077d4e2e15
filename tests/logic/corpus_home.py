"""The corpus's test home (tests/corpus/home.yaml) as the plain `logic.home.Home` snapshot the
glue would build from Home Assistant in one language (Chinese names where no English one)."""

from __future__ import annotations

from custom_components.barrier_free.logic.home import Area, Entity, Floor, Home
from tests.corpus.corpus import home


def corpus_home(language: str) -> Home:
    raw = home()
    key = "name_zh" if language == "zh" else "name_en"
    floors = tuple(Floor(k, f[key]) for k, f in raw["floors"].items())
    areas = tuple(
        Area(k, a[key], tuple(a[f"aliases_{language}"]), a["floor"], bool(a.get("outdoor")))
        for k, a in raw["areas"].items()
    )
    entities = []
    for spec in raw["entities"]:
        english = language == "en" and bool(spec.get("name_en"))
        name = spec["name_en"] if english else spec["name_zh"]
        aliases = () if language == "en" and not english else tuple(spec[f"aliases_{language}"])
        entities.append(
            Entity(spec["entity_id"], name, aliases, spec.get("area"), spec.get("device_class"))
        )
    return Home(tuple(entities), areas, floors)


def corpus_states() -> dict[str, tuple[str, dict[str, object]]]:
    """The home's start states, as `questions.States`."""
    return {
        s["entity_id"]: (str(s["state"]), dict(s.get("attributes") or {}))
        for s in home()["entities"]
    }
