"""Counting calls in tests (how often a data block is drawn, ...)."""
from __future__ import annotations


def count_calls(monkeypatch, owner, name: str) -> dict:
    """Replace ``owner.name`` (a function or method) by one that counts its calls into
    the returned ``{"n": calls}`` and then calls the original (restored by monkeypatch)."""
    counter = {"n": 0}
    real = getattr(owner, name)

    def counting(*args, **kw):
        counter["n"] += 1
        return real(*args, **kw)
    monkeypatch.setattr(owner, name, counting)
    return counter
