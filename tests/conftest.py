"""Shared fixtures: the bundled config and seeds, a built tree, the Flask app."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from feedsmith.config import Config, load_config

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "everyday-ai"


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(REPO / "config.yaml")


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private copy of the bundled seeds that a test may add files to."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def site_config(config: Config, seeds: Path, tmp_path: Path) -> Config:
    from dataclasses import replace

    return replace(config, seeds_dir=seeds, out_dir=tmp_path / "feeds", state_dir=tmp_path / "state",
                   reload_interval=0.0)


@pytest.fixture
def app(site_config: Config):
    from feedsmith.web import create_app

    app = create_app(site_config)
    app.testing = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def corpus_news() -> Path:
    news = CORPUS / "news"
    if not news.is_dir():
        pytest.skip("../shared/corpus/everyday-ai is not on this machine")
    return news
