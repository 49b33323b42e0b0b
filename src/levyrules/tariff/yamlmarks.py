"""YAML reading that keeps where each value was written (行・桁), for FILE:LINE:COLUMN messages.

Scalars become str/int/bool/None. A YAML float is kept as its decimal text, so a
rate never passes through a binary float; a money field given as a float then
fails the schema's integer check with its line. Duplicate keys are errors.

Limits, each refused with a TariffError at the file's position before any cost
grows with them: a file of more than MAX_BYTES bytes, text that is not UTF-8, a
YAML alias (``*name``, and so the ``<<`` merge key: a tariff writes every value
out, and an alias bomb cannot expand), and nesting deeper than MAX_DEPTH.
"""

from __future__ import annotations

import os
from pathlib import Path as _FsPath
from typing import Any

import yaml

from ..errors import TariffError

Path = tuple  # of str | int

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"

MAX_BYTES = 1_048_576     # bytes per tariff or tariff-test file (1 MiB; the largest shipped is 7 KB)
MAX_DEPTH = 32            # nested mappings and lists (a tariff needs 6)


def read_text(path: _FsPath, name: str) -> tuple[str, os.stat_result]:
    """The UTF-8 text of a tariff or test file and its stat taken before reading
    (so a file changed while it is read looks changed to the cache, never the reverse)."""
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise TariffError(f"cannot be read ({type(e).__name__})", name, 1, 1) from None
    if len(raw) > MAX_BYTES:
        raise TariffError(f"the file is larger than the limit of {MAX_BYTES:,} bytes", name, 1, 1)
    try:
        return raw.decode("utf-8"), st
    except UnicodeDecodeError as e:
        head = raw[:e.start]
        line = head.count(b"\n") + 1
        col = len(head) - (head.rfind(b"\n") + 1) + 1
        raise TariffError("the file is not UTF-8 text: save it as UTF-8", name, line, col) from None


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and deep nesting while composing."""

    def __init__(self, stream, filename: str):
        super().__init__(stream)
        self._filename = filename
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise TariffError("YAML aliases (*name, <<: *name) are not allowed: write the value "
                              "out", self._filename, mark.line + 1, mark.column + 1)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise TariffError(f"nested more than {MAX_DEPTH} levels deep", self._filename,
                                  mark.line + 1, mark.column + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load(text: str, filename: str) -> tuple[Any, dict[Path, tuple[int, int]]]:
    """Parse YAML text; return (data, marks) where marks maps a value's path to (line, column)."""
    loader = _Loader(text, filename)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        col = mark.column + 1 if mark else 1
        raise TariffError(f"not valid YAML: {e.problem or e.context}", filename, line, col) from None
    except yaml.YAMLError as e:
        raise TariffError(f"not valid YAML: {e}", filename) from None
    finally:
        loader.dispose()
    marks: dict[Path, tuple[int, int]] = {}
    if node is None:
        return None, marks
    return _walk(node, (), marks, filename), marks


def _walk(node: yaml.Node, path: Path, marks: dict, filename: str) -> Any:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                raise TariffError("keys must be plain names", filename,
                                  knode.start_mark.line + 1, knode.start_mark.column + 1)
            key = knode.value
            if key in out:
                raise TariffError(f"duplicate key {key!r}", filename,
                                  knode.start_mark.line + 1, knode.start_mark.column + 1)
            out[key] = _walk(vnode, path + (key,), marks, filename)
            if not isinstance(vnode, yaml.ScalarNode):   # a block: point at its key
                marks[path + (key,)] = (knode.start_mark.line + 1, knode.start_mark.column + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(v, path + (i,), marks, filename) for i, v in enumerate(node.value)]
    return scalar(node)


def scalar(node: yaml.ScalarNode) -> Any:
    """Resolve one scalar without ever making a float."""
    tag = node.tag
    text = node.value
    if tag == _NULL_TAG:
        return None
    if tag == _BOOL_TAG:
        return text.lower() in ("true", "yes", "on")
    if tag == _INT_TAG:
        clean = text.replace("_", "")
        for base in (10, 0):
            try:
                return int(clean, base)
            except ValueError:
                pass
        return text
    if tag == _FLOAT_TAG:
        return text  # decimal text; parse_rate reads it exactly
    return text


def scalar_text(text: str) -> Any:
    """Resolve a scalar given on the command line (--set PATH=VALUE) as YAML would."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is None:
        return None
    if not isinstance(node, yaml.ScalarNode):
        raise ValueError("value must be a single scalar")
    return scalar(node)
