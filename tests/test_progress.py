"""Progress on a terminal, silence elsewhere, and the --jobs option."""

from __future__ import annotations

import io

import pytest

from feedsmith.build import build
from feedsmith.cli import main
from feedsmith.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_build_on_a_terminal_shows_each_phase_and_clears_the_line(site_config):
    screen = Terminal()
    build(site_config, progress=Progress(screen))
    shown = screen.getvalue()
    assert "parsing" in shown and "5/5" in shown and "100%" in shown
    assert "rendering" in shown
    assert shown.endswith("\r\x1b[K"), "the progress line is left on the screen"


def test_no_progress_when_the_stream_is_not_a_terminal(site_config):
    log = io.StringIO()
    build(site_config, progress=Progress(log))
    assert log.getvalue() == ""


def test_the_summary_gives_counts_and_phase_timings(site_config):
    summary = build(site_config).summary()
    assert summary.startswith("5 articles read, 0 files skipped")
    for phase in ("read", "render", "write"):
        assert f"{phase} " in summary and "s," in summary


@pytest.mark.parametrize("value", ["0", "-2", "many"])
def test_jobs_must_be_a_positive_number(value, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["build", "--jobs", value])
    assert exit_.value.code == 2
    assert "at least 1" in capsys.readouterr().err


def test_jobs_one_builds_the_same_tree(site_config, tmp_path, capsys):
    config = tmp_path / "c.yaml"
    config.write_text(f"seeds_dir: {site_config.seeds_dir}\nout_dir: {tmp_path / 'out'}\n"
                      f"state_dir: {tmp_path / 'state'}\n")
    assert main(["build", "--config", str(config), "--jobs", "1", "--quiet"]) == 0
    assert "5 articles read" in capsys.readouterr().out
    assert (tmp_path / "out" / "all.atom").is_file()
