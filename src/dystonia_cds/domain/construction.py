"""`quick_init`: a faster `__init__` for frozen, slotted dataclasses built in hot paths.

A frozen dataclass's generated `__init__` sets each field through `object.__setattr__`
(the frozen `__setattr__` forbids plain assignment); on a 15-field value that doubles its
construction cost. For a slotted class each field is a member descriptor, whose `__set__`
stores the value directly. `quick_init` replaces `__init__` with one that does that, with
the same signature (names, order, defaults); equality, hashing, repr, pickling, `replace`
and the frozen `__setattr__` are unchanged. Only plain defaults are supported (a field with
a `default_factory` is refused when the class is decorated).
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")
_FACTORY = object()  # "use the default factory" (as dataclasses' own marker)


def quick_init(cls: type[T]) -> type[T]:
    """Decorate (above `@dataclass(frozen=True, slots=True)`) to build instances faster."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    names: dict[str, Any] = {"_FACTORY": _FACTORY}
    params, body = [], []
    for n, f in enumerate(fields):
        if not f.init:
            raise TypeError(f"{cls.__name__}.{f.name}: init=False is not supported")
        names[f"_set{n}"] = getattr(cls, f.name).__set__
        if f.default_factory is not dataclasses.MISSING:
            names[f"_factory{n}"] = f.default_factory
            params.append(f"{f.name}=_FACTORY")
            body.append(f"    if {f.name} is _FACTORY:\n        {f.name} = _factory{n}()\n")
        elif f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            names[f"_default{n}"] = f.default
            params.append(f"{f.name}=_default{n}")
        body.append(f"    _set{n}(self, {f.name})\n")
    header = "def __init__(self, " + ", ".join(params) + "):\n"
    source = header + ("".join(body) or "    pass\n")
    exec(source, names)  # noqa: S102 - code built from the dataclass's own field names
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    setattr(cls, "__init__", init)  # noqa: B010 - mypy forbids assigning a method
    return cls
