"""YAML (and so JSON) text ↔ plain documents, with the scalar rules of YAML 1.2's core schema.

PyYAML follows YAML 1.1, whose implicit typing surprises: an unquoted ``2017-09-18T06:00:00Z``
becomes a datetime (losing what was written), ``no`` becomes ``False`` and ``1e3`` stays a
string, so a JSON number would be refused. The loader here keeps timestamps as strings, reads
only ``true``/``false`` as booleans and reads numbers as JSON does; it also refuses duplicate
keys, which YAML forbids and PyYAML silently merges.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

from deconflict.errors import ScenarioError

__all__ = ["dump_json", "dump_yaml", "load_text"]

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_DROPPED = {
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
}
_CORE = (
    ("tag:yaml.org,2002:bool", _BOOL, "tTfF"),
    ("tag:yaml.org,2002:int", _INT, "-+0123456789"),
    ("tag:yaml.org,2002:float", _FLOAT, "-+0123456789."),
)


# libyaml's parser when PyYAML was built with it (several times faster); constructing and resolving
# stay in Python, so the overrides below apply to both.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):  # type: ignore[valid-type,misc]
    """SafeLoader with YAML 1.2 core scalars, no timestamps and no duplicate keys."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[tuple[str, str]] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag.endswith(":merge"):
                continue
            key = (key_node.tag, key_node.value)
            if key in seen:
                raise ConstructorError("while reading a mapping", node.start_mark,
                                       f"found duplicate key {key_node.value!r}",
                                       key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _scalar_error(node: Node, problem: str) -> ConstructorError:
    return ConstructorError(None, None, problem, node.start_mark)


def _construct_int(loader: yaml.SafeLoader, node: Node) -> int:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    try:
        sign, digits = (-1, text[1:]) if text.startswith("-") else (1, text.lstrip("+"))
        base = {"0o": 8, "0x": 16}.get(digits[:2], 10)
        return sign * int(digits[2:] if base != 10 else digits, base)
    except ValueError:
        raise _scalar_error(node, f"not an integer: {text[:40]!r}") from None


def _construct_float(loader: yaml.SafeLoader, node: Node) -> float:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    special = {".inf": "inf", "+.inf": "inf", "-.inf": "-inf", ".nan": "nan"}
    try:
        return float(special.get(text.lower(), text))
    except ValueError:
        raise _scalar_error(node, f"not a number: {text[:40]!r}") from None


def _core_resolvers(base: type[yaml.resolver.BaseResolver]) -> dict[Any, list[Any]]:
    kept = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    for tag, regexp, firsts in _CORE:
        for first in firsts:
            kept.setdefault(first, []).append((tag, regexp))
    return kept


_Loader.yaml_implicit_resolvers = _core_resolvers(yaml.SafeLoader)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


class _Dumper(yaml.SafeDumper):
    """Quotes any string that either YAML 1.1 or 1.2 would read as something else.

    Lists without mappings inside (positions, coordinates, windows) and small mappings of such
    values (parties, relations, geometries) are written inline, as the format's example is.
    """

    def represent_list(self, data: Any) -> yaml.SequenceNode:
        inline = not any(isinstance(v, dict) for v in _walk(data))
        return self.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=inline)

    def represent_dict(self, data: Any) -> yaml.MappingNode:
        values = list(data.values())
        inline = len(data) <= _INLINE_KEYS and not any(isinstance(v, dict) for v in _walk(values))
        return self.represent_mapping("tag:yaml.org,2002:map", data, flow_style=inline)

    def represent_str(self, data: str) -> yaml.ScalarNode:
        # PyYAML writes these line breaks raw in plain and single-quoted scalars, and reads them
        # back folded; double quotes escape them.
        style = '"' if any(ch in data for ch in _LINE_BREAKS) else None
        return self.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_INLINE_KEYS = 4
_LINE_BREAKS = "\x85\u2028\u2029"


def _walk(items: list[Any]) -> Any:
    for item in items:
        yield item
        if isinstance(item, list):
            yield from _walk(item)


# Keep 1.1's resolvers (so "no", "2017-09-18T06:00:00Z" are quoted for other readers) and add
# the core ones (so "1e3" is quoted for ours).
for _tag, _regexp, _firsts in _CORE:
    _Dumper.add_implicit_resolver(_tag, _regexp, list(_firsts))
_Dumper.add_representer(list, _Dumper.represent_list)
_Dumper.add_representer(dict, _Dumper.represent_dict)
_Dumper.add_representer(str, _Dumper.represent_str)


def load_text(text: str) -> object:
    """Parse one YAML or JSON document; syntax problems become errors naming line and column."""
    strict_json = _json_fallback(text)  # JSON is YAML, but the JSON parser is far faster
    if strict_json is not None:
        return strict_json
    try:
        # Safe: _Loader derives from SafeLoader and constructs only plain data.
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise ScenarioError(_yaml_message(exc)) from None
    except RecursionError:
        raise ScenarioError("the document is nested too deeply") from None


def _yaml_message(exc: yaml.YAMLError) -> str:
    if not isinstance(exc, yaml.MarkedYAMLError):
        return f"not valid YAML: {exc}"
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "syntax error"
    if mark is None:
        return f"not valid YAML: {problem}"
    return f"not valid YAML at line {mark.line + 1}, column {mark.column + 1}: {problem}"


def _json_fallback(text: str) -> object | None:
    """A JSON object read strictly as JSON (which also accepts tab indentation, unlike YAML);
    ``None`` when the text is not one, and YAML then has its turn."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        document: object = json.loads(text, object_pairs_hook=_unique_keys)
        return document
    except (ValueError, RecursionError):
        return None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def dump_yaml(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def dump_json(document: dict[str, Any]) -> str:
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)
    return _UNSAFE_FOR_YAML.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


# Characters a YAML reader refuses in a stream, or reads as line breaks inside a string. Outside
# strings JSON text is ASCII, so escaping them everywhere only touches string contents.
_UNSAFE_FOR_YAML = re.compile("[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd"
                              "\U00010000-\U0010ffff]")
