"""Safe YAML loading for front matter and config: fast, strict, bounded.

- libyaml's C parser when present (several times faster than pure Python);
- safe construction only (``!!python/object`` is an error, never code);
- duplicate keys are errors, not a silent "last one wins";
- aliases are bounded, so a "billion laughs" document fails fast instead of
  exhausting memory when the value is later walked or serialised.
"""

from __future__ import annotations

from typing import Any

import yaml

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_NODES = 100_000  # values in one document, counting every alias expansion


class YamlProblem(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value, not a list or mapping", key_node.start_mark
                ) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key '{key}': keep only one of them",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def _count_nodes(value: Any, budget: int) -> int:
    """Count values as a serialiser would see them (aliases expanded), up to ``budget``."""
    stack = [value]
    count = 0
    while stack:
        item = stack.pop()
        count += 1
        if count > budget:
            return count
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set)):
            stack.extend(item)
    return count


def load_yaml(text: str, first_line: int = 1) -> Any:
    """Load one YAML document; problems carry the file line (``first_line`` is the text's first line)."""
    if "\t" in text:
        for number, line in enumerate(text.splitlines(), start=first_line):
            stripped = line.lstrip(" ")
            if stripped.startswith("\t"):
                raise YamlProblem("a tab is used for indentation: YAML needs spaces", number)
    try:
        value = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark is not None else None
        column = f", column {mark.column + 1}" if mark is not None else ""
        what = exc.problem or exc.context or "invalid YAML"
        if "could not determine a constructor" in what:
            what = "unsupported YAML tag " + what.split("tag", 1)[-1].strip() + ": use plain values"
        return_hint = _hint(what)
        raise YamlProblem(f"invalid YAML{column}: {what}{return_hint}", line) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}", first_line) from None
    except RecursionError:
        raise YamlProblem("YAML nested too deeply", first_line) from None
    if _count_nodes(value, MAX_NODES) > MAX_NODES:
        raise YamlProblem(
            f"YAML expands to more than {MAX_NODES:,} values (aliases repeated?): simplify it", first_line
        )
    return value


def _hint(what: str) -> str:
    if "mapping values are not allowed" in what:
        return " (a value with ': ' in it needs quotes)"
    if "found character '\\t'" in what:
        return " (use spaces, not tabs)"
    if "did not find expected" in what or "could not find expected" in what:
        return " (check indentation and quotes)"
    return ""
