"""``@frozen_record``: what ``@dataclass(frozen=True)`` makes, without compiling a line.

On Python 3.11 ``dataclass`` writes each class's ``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, ``__setattr__`` and ``__delattr__`` as source text and compiles it: about 0.3 ms
for a small class and 1 ms for ``Profile``, ~6 ms of ``musicauth token`` for the dozen on its
way, and the desktop app pays the same before its first listing (benchmarks/README.md,
"Start-up"). Here each is a closure over the class's field names, made at once; ``dataclass``
itself collects the fields (no method generated), so ``dataclasses.fields``, ``replace``,
``asdict`` and ``field(default_factory=..., repr=False, compare=False)`` work as before.

What a caller sees is the frozen dataclass's: the same equality (a tuple of the compared fields,
only against the same class), hash, repr (``Name(field=value, ...)``, ``...`` when recursive),
``FrozenInstanceError`` on assignment, arguments taken by position or keyword, defaults and
default factories. Two things differ, neither read by the app: ``__init__`` takes
``(*args, **kwargs)`` (its signature does not list the fields; a wrong call is still a
TypeError naming the argument), and ``__dataclass_params__`` says no method was generated.
A record derives from object or from one other record (``_check_bases``: the events of
``events.py`` are a tree), is not a base of a dataclass, and has a docstring
(``_check_docstring``).
``tests/core/test_record.py`` holds every record of the core to a real frozen dataclass.
"""

from __future__ import annotations

import dataclasses
from _thread import get_ident
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, cast, dataclass_transform

C = TypeVar("C")

#: Set on each record's class: what ``_check_bases`` accepts as a base.
_RECORD_MARK = "__frozen_record__"
#: A default the caller did not give: ``_REQUIRED`` none, ``_FACTORY`` made by the field's factory.
_REQUIRED: Any = object()
_FACTORY: Any = object()


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def frozen_record(cls: type[C]) -> type[C]:
    """``cls`` as ``@dataclass(frozen=True)`` would make it (see the module docstring)."""
    _check_bases(cls)
    _check_docstring(cls)
    cls = dataclasses.dataclass(init=False, repr=False, eq=False)(cls)
    fields = dataclasses.fields(cast(Any, cls))
    _check_init(cls, fields)
    methods: dict[str, Callable[..., Any]] = {
        "__init__": _init(cls, fields),
        "__repr__": _repr(tuple(f.name for f in fields if f.repr)),
        "__eq__": _eq(_values(tuple(f.name for f in fields if f.compare))),
        "__hash__": _hash(_values(tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash)))),
        **_frozen(cls, frozenset(f.name for f in fields)),
    }
    for name, method in methods.items():
        if name in cls.__dict__:
            raise TypeError(f"{cls.__qualname__} defines {name}, which @frozen_record makes")
        method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, method)
    setattr(cls, _RECORD_MARK, True)
    return cls


def _check_docstring(cls: type) -> None:
    # Without one, dataclass writes one from inspect.signature(cls): ~1.5 ms the first time.
    if not cls.__dict__.get("__doc__"):
        raise TypeError(f"{cls.__qualname__}: a record says in a docstring what it is")


def _check_init(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> None:
    # What dataclass's own __init__ would honour and the closure below does not: refused when
    # the class is made, rather than ignored at its first instance.
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__qualname__}: a record has no __post_init__ (use @dataclass(frozen=True))")
    initvar = getattr(dataclasses, "_FIELD_INITVAR", None)
    for name, f in cls.__dict__["__dataclass_fields__"].items():
        if getattr(f, "_field_type", None) is initvar:
            raise TypeError(f"{cls.__qualname__}.{name}: a record has no InitVar (use @dataclass(frozen=True))")
    for f in fields:
        if not f.init or f.kw_only is True:
            raise TypeError(f"{cls.__qualname__}.{f.name}: a record's fields are all plain __init__ arguments")


def _check_bases(cls: type) -> None:
    # Another record's fields come first in dataclasses.fields(cls), so the closures below know
    # them; any other base (a plain dataclass, a class with its own __init__ or __eq__) would
    # bring fields or methods they do not know of.
    bases = cls.__bases__
    if bases != (object,) and not (len(bases) == 1 and _RECORD_MARK in bases[0].__dict__):
        raise TypeError(f"{cls.__qualname__}: a record derives from object or from one other record")


def _init(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[..., None]:
    spec = tuple(
        (
            f.name,
            _FACTORY if f.default_factory is not dataclasses.MISSING else _REQUIRED if f.default is dataclasses.MISSING else f.default,
        )
        for f in fields
    )
    factories = {f.name: f.default_factory for f in fields if f.default_factory is not dataclasses.MISSING}
    names = tuple(name for name, _ in spec)
    after_default = False
    for name, default in spec:  # as dataclass refuses it when the class is made
        if default is not _REQUIRED:
            after_default = True
        elif after_default:
            raise TypeError(f"non-default argument {name!r} follows default argument")
    where = f"{cls.__qualname__}.__init__()"
    least = 1 + sum(default is _REQUIRED for _, default in spec)
    takes = f"{least}" if least == len(spec) + 1 else f"from {least} to {len(spec) + 1}"
    assign = object.__setattr__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if args:
            if len(args) > len(names):
                raise TypeError(f"{where} takes {takes} positional arguments but {len(args) + 1} were given")
            for name, value in zip(names, args, strict=False):
                if name in kwargs:
                    raise TypeError(f"{where} got multiple values for argument {name!r}")
                kwargs[name] = value
        for name, default in spec:
            value = kwargs.pop(name, default)
            if value is _FACTORY:
                value = factories[name]()
            elif value is _REQUIRED:
                raise TypeError(f"{where} missing 1 required positional argument: {name!r}")
            assign(self, name, value)
        if kwargs:
            raise TypeError(f"{where} got an unexpected keyword argument {next(iter(kwargs))!r}")

    return __init__


def _values(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of ``names``' values, as the dataclass compares and hashes it."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda self: (one(self),)
    return lambda self: ()


def _repr(names: tuple[str, ...]) -> Callable[[Any], str]:
    running: set[tuple[int, int]] = set()

    def __repr__(self: Any) -> str:
        key = id(self), get_ident()
        if key in running:
            return "..."
        running.add(key)
        try:
            shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
            return f"{self.__class__.__qualname__}({shown})"
        finally:
            running.discard(key)

    return __repr__


def _eq(values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash(values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(values(self))

    return __hash__


def _frozen(cls: Any, names: frozenset[str]) -> dict[str, Callable[..., None]]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return {"__setattr__": __setattr__, "__delattr__": __delattr__}
