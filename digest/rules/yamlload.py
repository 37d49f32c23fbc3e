"""Safe YAML loading for front matter and config: fast, strict, bounded.

- libyaml's C parser when present (several times faster than pure Python);
- safe construction only (``!!python/object`` is an error, never code);
- duplicate keys are errors, not a silent "last one wins";
- aliases are bounded, so a "billion laughs" document fails fast instead of
  exhausting memory when the value is later walked or serialised;
- nesting is bounded before libyaml composes the document: its composer
  recurses in C, and tens of thousands of ``[`` crash the interpreter;
- a scalar that only looks like a date or number (``2022-02-30``, an int of
  10,000 digits) stays text instead of raising from the constructor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import yaml

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_NODES = 100_000  # values in one document, counting every alias expansion
MAX_DEPTH = 64  # nested lists and mappings; real front matter uses two or three

_INDICATORS = "[{-?:"  # every nested collection needs at least one of these characters


class YamlProblem(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """A loaded document plus, for a top-level mapping, where each key is and how its value was written.

    ``texts`` holds the source text of top-level scalar values (``title: 1.10``
    gives ``"1.10"``, where the value is the float 1.1) and of the scalar items
    of top-level lists, so fields that are always text keep what the author wrote.
    """

    value: Any
    lines: Mapping[str, int] = field(default_factory=dict)  # key -> file line
    texts: Mapping[str, str | tuple[str | None, ...]] = field(default_factory=dict)


class _StrictLoader(_BaseLoader):  # type: ignore[misc]
    first_line = 1  # file line of the text's first line, for messages

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
                    f"duplicate key '{key}' (first at line {seen[key]}): keep only one of them",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + self.first_line
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]

    def construct_lenient_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.construct_yaml_timestamp(node)
        except (ValueError, OverflowError):  # 2022-02-30, 0000-01-01: text; the caller says what is wrong
            return self.construct_scalar(node)

    def construct_lenient_int(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.construct_yaml_int(node)
        except ValueError:  # more digits than int() accepts from text
            return self.construct_scalar(node)


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_lenient_timestamp)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_lenient_int)


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


def _check_depth(text: str, first_line: int) -> None:
    """Refuse documents nested deeper than ``MAX_DEPTH`` before anything recursive sees them."""
    if sum(text.count(c) for c in _INDICATORS) < MAX_DEPTH:
        return  # cannot nest that deep: skip the extra pass (the common case)
    depth = 0
    loader = _BaseLoader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise YamlProblem(
                        f"YAML nested more than {MAX_DEPTH} levels deep: flatten it",
                        mark.line + first_line if mark is not None else first_line,
                    )
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    finally:
        loader.dispose()


def _tag_name(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:") :] if tag.startswith("tag:yaml.org,2002:") else tag


def load_yaml_document(text: str, first_line: int = 1) -> YamlDocument:
    """Load one YAML document; problems carry the file line (``first_line`` is the text's first line)."""
    if "\t" in text:
        for number, line in enumerate(text.splitlines(), start=first_line):
            stripped = line.lstrip(" ")
            if stripped.startswith("\t"):
                raise YamlProblem("a tab is used for indentation: YAML needs spaces", number)
    try:
        _check_depth(text, first_line)
        loader = _StrictLoader(text)
        loader.first_line = first_line
        try:
            node = loader.get_single_node()
            value = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = mark.line + first_line if mark is not None else None
        column = f", column {mark.column + 1}" if mark is not None else ""
        what: str = exc.problem or exc.context or "invalid YAML"
        if "could not determine a constructor" in what:
            tag = what.split("tag", 1)[-1].strip().strip("'")
            what = (
                f"unsupported YAML tag '{_tag_name(tag)}': only plain values are read"
                " (text, numbers, dates, lists, mappings); remove the tag"
            )
        raise YamlProblem(f"invalid YAML{column}: {what}{_hint(what)}", where) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}", first_line) from None
    except RecursionError:
        raise YamlProblem("YAML nested too deeply: flatten it", first_line) from None
    except UnicodeEncodeError as exc:  # a lone surrogate: only a caller that skipped UTF-8 decoding can pass one
        at = text.count("\n", 0, exc.start) + first_line
        what = f"U+{ord(text[exc.start]):04X}"
        raise YamlProblem(f"invalid text: {what} is not a character; re-save the file as UTF-8", at) from None
    if _count_nodes(value, MAX_NODES) > MAX_NODES:
        raise YamlProblem(
            f"YAML expands to more than {MAX_NODES:,} values (aliases repeated?): simplify it", first_line
        )
    lines: dict[str, int] = {}
    texts: dict[str, str | tuple[str | None, ...]] = {}
    if isinstance(node, yaml.MappingNode):
        _key_lines(node, "", first_line, lines)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = key_node.value
            if isinstance(value_node, yaml.ScalarNode):
                texts[key] = value_node.value
            elif isinstance(value_node, yaml.SequenceNode):
                texts[key] = tuple(v.value if isinstance(v, yaml.ScalarNode) else None for v in value_node.value)
    return YamlDocument(value, lines, texts)


def _key_lines(node: yaml.MappingNode, prefix: str, first_line: int, lines: dict[str, int]) -> None:
    """The file line of every mapping key, nested keys dotted (``markdown.engine``): the one rule for
    "which line is this key on", used by front matter, ``digest check`` and the config alike."""
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        dotted = prefix + str(key_node.value)
        lines.setdefault(dotted, key_node.start_mark.line + first_line)
        if isinstance(value_node, yaml.MappingNode) and len(lines) < MAX_NODES:
            _key_lines(value_node, dotted + ".", first_line, lines)


def line_of(lines: Mapping[str, int], key: str) -> int | None:
    """The line of ``key`` (dotted, or a leaf name that is unique among the nested keys)."""
    if key in lines:
        return lines[key]
    found = [line for dotted, line in lines.items() if dotted.endswith("." + key)]
    return min(found) if found else None


def load_yaml(text: str, first_line: int = 1) -> Any:
    """Load one YAML document and return its value (see ``load_yaml_document``)."""
    return load_yaml_document(text, first_line).value


def _hint(what: str) -> str:
    if "mapping values are not allowed" in what:
        return " (a value with ': ' in it needs quotes)"
    if "found character '\\t'" in what:
        return " (use spaces, not tabs)"
    if "did not find expected" in what or "could not find expected" in what:
        return " (check indentation and quotes)"
    return ""
