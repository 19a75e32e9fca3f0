"""YAML text -> plain data, as fast as PyYAML allows; the line of every path on demand.

Program files run to thousands of sessions, so loading takes the shortest way through
PyYAML: libyaml's parser, and the plain data built straight from its events, with text
scalars taken as they are. PyYAML's composer would first build a node (with two marks) for
each of the file's tens of thousands of values, which doubles the time of the whole load.
Anything beyond plain nested mappings, sequences and scalars (anchors, aliases, explicit
tags, complex keys) goes through the composer instead. No line numbers are kept: only a
file with problems needs them, and it is composed a second time for that.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import (
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from meeting.errors import InvalidInput, Problem

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it (about ten times faster), else pure Python."""

_STR_TAG = "tag:yaml.org,2002:str"


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Safe YAML without implicit timestamps: times stay text so the schema sees them."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        # The parser asks once per node; PyYAML's resolve builds two lists each time.
        # Same answer, from lists built once (when there are no path resolvers).
        if self.yaml_path_resolvers:
            return super().resolve(kind, value, implicit)
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in _SCALAR_RESOLVERS.get(value[:1], _ANY_FIRST):
                    if regexp.match(value):
                        return tag
            return self.DEFAULT_SCALAR_TAG
        if kind is yaml.SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        return self.DEFAULT_MAPPING_TAG


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ANY_FIRST = tuple(_Loader.yaml_implicit_resolvers.get(None, ()))
_SCALAR_RESOLVERS = {
    first: (*resolvers, *_ANY_FIRST)
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
    if first is not None
}


class _NotPlainError(Exception):
    """The file uses YAML beyond plain mappings, sequences and scalars."""


def load_yaml(text: str) -> Any:
    """Plain dicts (keys as text), lists and scalars; InvalidInput for broken or empty YAML."""
    try:
        try:
            return _load_plain(text)
        except _NotPlainError:
            return _construct(_compose(text), _Loader(""))
    except yaml.MarkedYAMLError as error:
        raise _invalid(error) from error


def line_numbers(text: str) -> dict[str, int]:
    """The 1-based line of every path (`sessions[3].room`) of a file load_yaml accepted."""
    lines: dict[str, int] = {}
    loader = _Loader("")

    def visit(node: yaml.Node, path: str) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = _key(key_node, loader)
                visit(value_node, f"{path}.{key}" if path else key)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                visit(item, f"{path}[{i}]")

    visit(_compose(text), "")
    return lines


def _load_plain(text: str) -> Any:
    """One document of plain collections and scalars, built from the parser's events
    exactly as _construct builds it from composed nodes; _NotPlainError for anything else."""
    loader = _Loader(text)
    try:
        next_event, resolve = loader.get_event, loader.resolve
        next_event()  # the stream's start
        if next_event().__class__ is not DocumentStartEvent:
            raise _NotPlainError  # no document at all: the composer says so
        # The collections being filled, innermost last, each with whether it is a mapping
        # and, for a mapping, the key waiting for its value.
        stack: list[tuple[Any, bool, str | None]] = []
        container: Any = None
        is_mapping = False
        key: str | None = None
        while True:
            event = next_event()
            kind = event.__class__
            if kind is ScalarEvent:
                if event.anchor is not None or event.tag not in (None, "!"):
                    raise _NotPlainError
                tag = resolve(yaml.ScalarNode, event.value, event.implicit)
                if tag == _STR_TAG:
                    value: Any = event.value
                else:
                    node = yaml.ScalarNode(
                        tag, event.value, event.start_mark, event.end_mark, event.style
                    )
                    value = loader.construct_object(node)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.anchor is not None or (is_mapping and key is None):
                    raise _NotPlainError  # an anchor, or a collection as a key
                stack.append((container, is_mapping, key))
                is_mapping = kind is MappingStartEvent
                container, key = ({} if is_mapping else []), None
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                value = container
                container, is_mapping, key = stack.pop()
            else:
                raise _NotPlainError  # an alias
            if container is None:
                break
            if not is_mapping:
                container.append(value)
            elif key is None:
                key = str(value)
            else:
                container[key] = value
                key = None
        next_event()  # the document's end
        if next_event().__class__ is not StreamEndEvent:
            raise _NotPlainError  # another document: the composer refuses it
        return value
    finally:
        loader.dispose()


def _compose(text: str) -> yaml.Node:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        raise _invalid(error) from error
    if node is None:
        raise InvalidInput([Problem("the file is empty")])
    return node


def _invalid(error: yaml.MarkedYAMLError) -> InvalidInput:
    mark = error.problem_mark
    line = mark.line + 1 if mark is not None else None
    return InvalidInput([Problem(f"not valid YAML: {error.problem}", line=line)])


def _construct(node: yaml.Node, loader: _Loader) -> Any:
    if isinstance(node, yaml.ScalarNode):
        # Most values are text; the constructor's dispatch is only needed for the rest.
        return node.value if node.tag == _STR_TAG else loader.construct_object(node)
    if isinstance(node, yaml.MappingNode):
        return {_key(key, loader): _construct(value, loader) for key, value in node.value}
    return [_construct(item, loader) for item in node.value]


def _key(node: yaml.Node, loader: _Loader) -> str:
    if isinstance(node, yaml.ScalarNode) and node.tag == _STR_TAG:
        return str(node.value)
    return str(loader.construct_object(node))
