"""Assertions shared by tests that look at published documents."""

from __future__ import annotations

from feedsmith.check import check_document


def assert_valid(path: str, data: bytes) -> None:
    problems = check_document(path, data)
    assert not problems, f"{path}: {problems}"
