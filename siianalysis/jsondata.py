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
    return _decoder(hint, skip, tuple((list_types or {}).items()))(data, "$")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _stored_fields(cls: type, skip: Skip) -> list[dataclasses.Field]:
    return [f for f in dataclasses.fields(cls) if f.init and (cls, f.name) not in skip]


Decoder = typing.Callable[[Any, str], Any]


def _fail(data: Any, what: str, where: str) -> typing.NoReturn:
    raise DecodeError(f"{where}: expected {what}, found {type(data).__name__}")


@cache
def _decoder(hint: Any, skip: Skip, list_types: tuple[tuple[type, type], ...]) -> Decoder:
    """A function that checks and rebuilds plain data of type ``hint`` (built once per type:
    the cache reads thousands of entries of the same few types)."""
    def sub(h: Any) -> Decoder:
        return _decoder(h, skip, list_types)

    origin = typing.get_origin(hint)
    if hint is Any:
        raise TypeError("Any cannot be checked")
    if hint is type(None) or hint is None:
        return lambda data, where: None if data is None else _fail(data, "null", where)
    if hint in (str, bool, int):
        return lambda data, where: data if type(data) is hint else _fail(data, hint.__name__, where)
    if hint is float:
        return lambda data, where: float(data) if type(data) in (int, float) else _fail(data, "float", where)
    if origin is Literal:
        allowed = typing.get_args(hint)
        return lambda data, where: data if any(type(data) is type(a) and data == a for a in allowed) \
            else _fail(data, f"one of {allowed}", where)
    if origin in (Union, types.UnionType):
        return _union([sub(h) for h in typing.get_args(hint)], hint)
    if origin is list or (isinstance(hint, type) and hint in dict(list_types)):
        item_hint = typing.get_args(hint)[0] if origin is list else dict(list_types)[hint]
        return _sequence(sub(item_hint), item_hint, list if origin is list else hint)
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return _sequence(sub(args[0]), args[0], tuple)
        return _fixed_tuple([sub(a) for a in args])
    if origin is dict:
        key, item_hint = typing.get_args(hint)
        if key is not str:
            raise TypeError("only dicts with text keys are read")
        return _mapping(sub(item_hint), item_hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass(hint, skip, sub)
    raise TypeError(f"{hint} is not plain data")


def _union(options: list[Decoder], hint: Any) -> Decoder:
    def decode(data: Any, where: str) -> Any:
        for option in options:
            try:
                return option(data, where)
            except DecodeError:
                continue
        raise DecodeError(f"{where}: matches none of {hint}")
    return decode


def _sequence(item: Decoder, item_hint: Any, make: type) -> Decoder:
    def decode(data: Any, where: str) -> Any:
        if not isinstance(data, list):
            _fail(data, "list", where)
        if item_hint in (str, bool, int) and all(type(v) is item_hint for v in data):
            return make(data)  # the common case, checked in one pass
        return make(item(v, f"{where}[{i}]") for i, v in enumerate(data))
    return decode


def _fixed_tuple(items: list[Decoder]) -> Decoder:
    def decode(data: Any, where: str) -> Any:
        if not isinstance(data, list) or len(data) != len(items):
            _fail(data, f"a list of {len(items)}", where)
        return tuple(d(v, f"{where}[{i}]") for i, (d, v) in enumerate(zip(items, data)))
    return decode


def _mapping(item: Decoder, item_hint: Any) -> Decoder:
    def decode(data: Any, where: str) -> Any:
        if not isinstance(data, dict):
            _fail(data, "object", where)
        if item_hint in (str, bool, int) and all(type(v) is item_hint for v in data.values()):
            return dict(data)
        return {k: item(v, f"{where}.{k}") for k, v in data.items()}
    return decode


def _dataclass(cls: type, skip: Skip, sub: typing.Callable[[Any], Decoder]) -> Decoder:
    hints = _hints(cls)
    fields = [(f.name, sub(hints[f.name])) for f in _stored_fields(cls, skip)]
    names = {name for name, _ in fields}

    def decode(data: Any, where: str) -> Any:
        if not isinstance(data, dict):
            _fail(data, f"{cls.__name__} object", where)
        if data.keys() != names:
            raise DecodeError(f"{where}: {cls.__name__} fields {sorted(data)} are not {sorted(names)}")
        try:
            return cls(**{name: d(data[name], where) for name, d in fields})
        except (TypeError, ValueError) as exc:
            if isinstance(exc, DecodeError):
                raise
            raise DecodeError(f"{where}: {cls.__name__}: {exc}") from exc
    return decode
