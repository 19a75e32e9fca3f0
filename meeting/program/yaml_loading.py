"""YAML text -> plain data, as fast as PyYAML allows; the line of every path on demand.

Program files run to thousands of sessions, so loading takes the shortest way through
PyYAML (libyaml's parser, text scalars taken as they are) and keeps no line numbers:
only a file with problems needs them, and it is composed a second time for that.
"""

from __future__ import annotations

from typing import Any

import yaml

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


def load_yaml(text: str) -> Any:
    """Plain dicts (keys as text), lists and scalars; InvalidInput for broken or empty YAML."""
    return _construct(_compose(text), _Loader(""))


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


def _compose(text: str) -> yaml.Node:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise InvalidInput([Problem(f"not valid YAML: {error.problem}", line=line)]) from error
    if node is None:
        raise InvalidInput([Problem("the file is empty")])
    return node


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
