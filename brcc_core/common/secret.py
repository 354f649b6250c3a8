"""Secrets (tokens, consumer secrets, database passwords) as values that never show
themselves: settings hold them, the API clients reveal them only into a request."""

from __future__ import annotations


class Secret:
    """A string that never shows itself in ``repr``, ``str``, logs or f-strings."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('****')"

    def __str__(self) -> str:
        return "****"

    def __format__(self, spec: str) -> str:
        return "****"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self):
        # Settings must never reach a pickle (the catalog cache); fail loudly if they do.
        raise TypeError("a Secret cannot be pickled")
