"""``@frozen_record`` against ``@dataclass(frozen=True)``: the same fields and behaviour, for a
sample class and for every record of the core (each held to a real frozen dataclass twin)."""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import math
import pickle
import pkgutil
from dataclasses import FrozenInstanceError, dataclass, field
from typing import Any

import pytest

import musicauth_gui.core
from musicauth_gui.core import record
from musicauth_gui.core.record import frozen_record


@frozen_record
class Sample:
    """A record with every kind of field."""

    a: int
    b: str = "b"
    items: list[int] = field(default_factory=list)
    hidden: str = field(default="h", repr=False)
    ignored: float = field(default=0.0, compare=False)


@dataclass(frozen=True)
class Twin:
    """Sample as a frozen dataclass."""

    a: int
    b: str = "b"
    items: list[int] = field(default_factory=list)
    hidden: str = field(default="h", repr=False)
    ignored: float = field(default=0.0, compare=False)


@frozen_record
class Pickled:
    """Module level, so that pickle finds it."""

    x: int
    y: tuple[int, ...] = ()


def _both(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
    return Sample(*args, **kwargs), Twin(*args, **kwargs)


def test_arguments_by_position_and_keyword_with_defaults_and_fresh_factories() -> None:
    for args, kwargs in [((1,), {}), ((1, "x"), {"hidden": "z"}), ((), {"a": 2, "items": [3], "ignored": 1.5})]:
        ours, twin = _both(*args, **kwargs)
        assert dataclasses.asdict(ours) == dataclasses.asdict(twin)
    assert Sample(1).items is not Sample(1).items


@pytest.mark.parametrize(
    ("args", "kwargs", "words"),
    [
        ((), {}, "missing 1 required positional argument: 'a'"),
        ((1,), {"nope": 1}, "unexpected keyword argument 'nope'"),
        ((1,), {"a": 1}, "multiple values for argument 'a'"),
        ((1, "b", [], "h", 0.0, "extra"), {}, "takes from 2 to 6 positional arguments but 7 were given"),
    ],
)
def test_a_wrong_call_is_a_type_error_naming_it(args: tuple[Any, ...], kwargs: dict[str, Any], words: str) -> None:
    with pytest.raises(TypeError, match=words):
        Sample(*args, **kwargs)
    with pytest.raises(TypeError, match=words):
        Twin(*args, **kwargs)


def test_equality_hash_and_repr_are_the_dataclass_ones() -> None:
    ours, twin = _both(1, "x", hidden="secret", ignored=2.0)
    assert repr(ours) == repr(twin).replace("Twin(", "Sample(")
    assert "secret" not in repr(ours)
    assert ours == Sample(1, "x", hidden="secret", ignored=3.0)  # compare=False
    assert ours != Sample(1, "y")
    assert ours.__eq__(twin) is NotImplemented and ours != twin
    nan = Sample(1, ignored=math.nan)
    assert nan == nan  # identity of the values first, as tuples compare
    with pytest.raises(TypeError, match="unhashable"):
        hash(ours)  # a list field, as in the twin
    with pytest.raises(TypeError, match="unhashable"):
        hash(twin)
    assert hash(Pickled(1, (2,))) == hash(Pickled(1, (2,))) == hash((1, (2,)))


def test_a_recursive_repr_is_cut_short() -> None:
    ours = Sample(1, items=[])
    ours.items.append(ours)  # type: ignore[arg-type]
    twin = Twin(1, items=[])
    twin.items.append(twin)  # type: ignore[arg-type]
    assert repr(ours) == repr(twin).replace("Twin(", "Sample(") == "Sample(a=1, b='b', items=[...], ignored=0.0)"


def test_frozen_as_a_dataclass_is() -> None:
    ours = Sample(1)
    for action in (lambda: setattr(ours, "a", 2), lambda: setattr(ours, "other", 2)):
        with pytest.raises(FrozenInstanceError, match="cannot assign to field"):
            action()
    with pytest.raises(FrozenInstanceError, match="cannot delete field 'a'"):
        del ours.a

    class Sub(Sample):
        pass

    sub = Sub(1)
    sub.other = 2  # type: ignore[attr-defined]  # a subclass may add attributes, as a dataclass's may
    with pytest.raises(FrozenInstanceError):
        sub.a = 2  # type: ignore[misc]


def test_dataclass_helpers_copy_and_pickle_work() -> None:
    ours = Sample(1, "x", [2])
    assert dataclasses.is_dataclass(ours)
    assert [f.name for f in dataclasses.fields(ours)] == ["a", "b", "items", "hidden", "ignored"]
    assert dataclasses.replace(ours, b="y") == Sample(1, "y", [2])
    assert dataclasses.astuple(ours) == (1, "x", [2], "h", 0.0)
    assert copy.copy(ours) == ours and copy.deepcopy(ours) == ours
    assert pickle.loads(pickle.dumps(Pickled(1, (2,)))) == Pickled(1, (2,))
    assert Sample.__match_args__ == Twin.__match_args__
    match ours:
        case Sample(1, "x"):
            pass
        case _:
            pytest.fail("no match")


def test_what_a_dataclass_refuses_is_refused() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @frozen_record
        class Misordered:
            """No."""

            a: int = 1
            b: int

    with pytest.raises(TypeError, match="derives from object or from one other record"):

        @frozen_record
        class Derived(Twin):
            """No: a plain dataclass base."""

    with pytest.raises(TypeError, match="says in a docstring what it is"):

        @frozen_record
        class Undocumented:
            a: int

    with pytest.raises(TypeError, match="defines __eq__"):

        @frozen_record
        class OwnEquality:
            """No."""

            a: int

            def __eq__(self, other: object) -> bool:
                return True


def test_what_the_closures_would_ignore_is_refused() -> None:
    """dataclass's own __init__ honours these; a record's would skip them silently."""
    with pytest.raises(TypeError, match="no __post_init__"):

        @frozen_record
        class Checked:
            """No."""

            a: int

            def __post_init__(self) -> None:
                raise AssertionError("never run by the closure")

    with pytest.raises(TypeError, match="no InitVar"):

        @frozen_record
        class WithInitVar:
            """No."""

            a: int
            seed: dataclasses.InitVar[int]

    with pytest.raises(TypeError, match="plain __init__ arguments"):

        @frozen_record
        class NotInInit:
            """No."""

            a: int
            b: int = field(default=0, init=False)

    with pytest.raises(TypeError, match="plain __init__ arguments"):

        @frozen_record
        class KeywordOnly:
            """No."""

            a: int = field(default=0, kw_only=True)


def test_a_record_derived_from_a_record_is_its_dataclass_twin() -> None:
    @frozen_record
    class Base:
        """Fields first."""

        name: str

    @frozen_record
    class Child(Base):
        """Then its own."""

        n: int = 0

    @dataclass(frozen=True)
    class TwinBase:
        """Base as a frozen dataclass."""

        name: str

    @dataclass(frozen=True)
    class TwinChild(TwinBase):
        """Child as a frozen dataclass."""

        n: int = 0

    child, twin = Child("x", 2), TwinChild("x", 2)
    assert isinstance(child, Base)
    assert [f.name for f in dataclasses.fields(child)] == [f.name for f in dataclasses.fields(twin)] == ["name", "n"]
    assert repr(child).replace("Child", "") == repr(twin).replace("TwinChild", "")
    assert child == Child("x", 2) and child != Child("x", 3) and child != Base("x")
    assert hash(child) == hash(twin) and dataclasses.replace(child, n=5) == Child("x", 5)
    with pytest.raises(FrozenInstanceError):
        child.name = "y"  # type: ignore[misc]


def _core_records() -> list[type]:
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(musicauth_gui.core.__path__, "musicauth_gui.core."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if inspect.isclass(value) and getattr(value.__init__, "__module__", None) == record.__name__:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def _twin(cls: type) -> type:
    """``cls``'s fields as a real frozen dataclass of the same name."""
    # Every field's annotation, a base record's too (cls.__annotations__ holds its own only).
    annotations = {f.name: f.type for f in dataclasses.fields(cls)}
    namespace: dict[str, Any] = {"__annotations__": annotations, "__module__": cls.__module__}
    for f in dataclasses.fields(cls):
        namespace[f.name] = field(
            default=f.default, default_factory=f.default_factory, repr=f.repr, compare=f.compare, hash=f.hash
        )
    made = type(cls.__name__, (), namespace)
    made.__qualname__ = cls.__qualname__
    return dataclass(frozen=True)(made)


def test_every_core_record_behaves_as_its_frozen_dataclass_twin() -> None:
    records = _core_records()
    assert len(records) >= 10  # found by their methods: a rename must not leave this test empty
    for cls in records:
        twin = _twin(cls)
        assert [(f.name, f.default, f.default_factory, f.repr, f.compare, f.hash) for f in dataclasses.fields(cls)] == [
            (f.name, f.default, f.default_factory, f.repr, f.compare, f.hash) for f in dataclasses.fields(twin)
        ], cls
        values = {f.name: f"value of {f.name}" for f in dataclasses.fields(cls)}
        ours, theirs = cls(**values), twin(**values)
        assert repr(ours) == repr(theirs), cls
        assert hash(ours) == hash(theirs), cls
        assert ours == cls(**values) and ours.__eq__(theirs) is NotImplemented, cls
        assert dataclasses.asdict(ours) == dataclasses.asdict(theirs), cls
        assert dataclasses.asdict(dataclasses.replace(ours)) == dataclasses.asdict(theirs), cls
        name = next(iter(values), "anything")  # a record without fields (events.Event) refuses any
        with pytest.raises(FrozenInstanceError, match=f"cannot assign to field '{name}'"):
            setattr(ours, name, 1)
        required = [f.name for f in dataclasses.fields(cls) if f.default is f.default_factory is dataclasses.MISSING]
        ours, theirs = cls(**{name: values[name] for name in required}), twin(**{name: values[name] for name in required})
        for f in dataclasses.fields(cls):  # a factory's value by its type (TokenSet.issued_at: the time)
            mine, other = getattr(ours, f.name), getattr(theirs, f.name)
            assert (type(mine) is type(other)) if f.default_factory is not dataclasses.MISSING else mine == other, (cls, f.name)
