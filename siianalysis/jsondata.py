"""Dataclasses as plain JSON values and back, checked against their type hints on the way back.

For data that crosses a trust boundary as JSON (normalise's file cache, which
anyone who can write the processed folder can write): ``to_plain`` turns a
dataclass (and the lists, tuples, dicts, strings, numbers and booleans in it)
into values ``json`` writes; ``from_plain`` rebuilds it from the class's own
type hints and refuses, with ``DecodeError``, anything that does not match
them: a missing or extra field, a number where text belongs, a value outside a
``Literal``. Nothing read is ever run, imported or looked up by name: the only
classes built are those the hints name.

Supported hints: ``str``, ``int``, ``float``, ``bool``, ``None``, ``Literal``,
unions (``X | None``), ``list[T]``, ``tuple[A, B]`` and ``tuple[T, ...]``,
``dict[str, T]``, dataclasses, and list subclasses given their item type
(``list_types``). Fields named in ``skip`` (a lazy source that is no data) are
left out and get their default back. Any other hint is a ``TypeError`` when
encoding: such a value is not for this format.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any, Literal, Union

Skip = frozenset[tuple[type, str]]


class DecodeError(ValueError):
    """Plain data that does not match the type it should be."""


def to_plain(value: Any, skip: Skip = frozenset(), list_types: dict[type, type] | None = None) -> Any:
    """``value`` as JSON-ready lists, dicts, strings, numbers, booleans and None."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        return {f.name: to_plain(getattr(value, f.name), skip, list_types) for f in _stored_fields(cls, skip)}
    if isinstance(value, (list, tuple)):
        return [to_plain(v, skip, list_types) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("only dicts with text keys are written as JSON")
        return {k: to_plain(v, skip, list_types) for k, v in value.items()}
    raise TypeError(f"{type(value).__name__} is not plain data")


def from_plain(data: Any, hint: Any, skip: Skip = frozenset(), list_types: dict[type, type] | None = None) -> Any:
    """The value of type ``hint`` that ``to_plain`` turned into ``data``; ``DecodeError`` if
    ``data`` is anything else."""
    return _Decoder(skip, list_types or {}).value(data, hint, "$")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _stored_fields(cls: type, skip: Skip) -> list[dataclasses.Field]:
    return [f for f in dataclasses.fields(cls) if f.init and (cls, f.name) not in skip]


class _Decoder:
    def __init__(self, skip: Skip, list_types: dict[type, type]) -> None:
        self.skip, self.list_types = skip, list_types

    def value(self, data: Any, hint: Any, where: str) -> Any:
        origin = typing.get_origin(hint)
        if hint is Any:
            raise TypeError(f"{where}: Any cannot be checked")
        if hint is type(None) or hint is None:
            return self._expect(data, data is None, "null", where)
        if hint in (str, bool):
            return self._expect(data, type(data) is hint, hint.__name__, where)
        if hint is int:
            return self._expect(data, type(data) is int, "int", where)
        if hint is float:
            return self._expect(data, type(data) in (int, float), "float", where) * 1.0
        if origin is Literal:
            return self._expect(data, any(type(data) is type(a) and data == a for a in typing.get_args(hint)),
                                f"one of {typing.get_args(hint)}", where)
        if origin in (Union, types.UnionType):
            for option in typing.get_args(hint):
                try:
                    return self.value(data, option, where)
                except DecodeError:
                    continue
            raise DecodeError(f"{where}: matches none of {hint}")
        if origin is list:
            (item,) = typing.get_args(hint) or (Any,)
            self._expect(data, isinstance(data, list), "list", where)
            return [self.value(v, item, f"{where}[{i}]") for i, v in enumerate(data)]
        if origin is tuple:
            args = typing.get_args(hint)
            self._expect(data, isinstance(data, list), "list", where)
            if len(args) == 2 and args[1] is Ellipsis:
                return tuple(self.value(v, args[0], f"{where}[{i}]") for i, v in enumerate(data))
            self._expect(data, len(data) == len(args), f"{len(args)} items", where)
            return tuple(self.value(v, a, f"{where}[{i}]") for i, (v, a) in enumerate(zip(data, args)))
        if origin is dict:
            key, item = typing.get_args(hint)
            if key is not str:
                raise TypeError(f"{where}: only dicts with text keys are read")
            self._expect(data, isinstance(data, dict), "object", where)
            return {k: self.value(v, item, f"{where}.{k}") for k, v in data.items()}
        if isinstance(hint, type) and hint in self.list_types:
            self._expect(data, isinstance(data, list), "list", where)
            return hint(self.value(v, self.list_types[hint], f"{where}[{i}]") for i, v in enumerate(data))
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return self._dataclass(data, hint, where)
        raise TypeError(f"{where}: {hint} is not plain data")

    def _dataclass(self, data: Any, cls: type, where: str) -> Any:
        self._expect(data, isinstance(data, dict), f"{cls.__name__} object", where)
        fields = _stored_fields(cls, self.skip)
        names = {f.name for f in fields}
        if set(data) != names:
            raise DecodeError(f"{where}: {cls.__name__} fields {sorted(data)} are not {sorted(names)}")
        hints = _hints(cls)
        kwargs = {f.name: self.value(data[f.name], hints[f.name], f"{where}.{f.name}") for f in fields}
        try:
            return cls(**kwargs)
        except (TypeError, ValueError) as exc:
            raise DecodeError(f"{where}: {cls.__name__}: {exc}") from exc

    @staticmethod
    def _expect(data: Any, ok: bool, what: str, where: str) -> Any:
        if not ok:
            raise DecodeError(f"{where}: expected {what}, found {type(data).__name__}")
        return data
