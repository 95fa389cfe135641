"""The command line: inspect --json contract, build summary, check, errors."""

from __future__ import annotations

import json
import subprocess
import sys

from feedsmith.cli import main

from .conftest import REPO, SEEDS

CONTRACT = {"path", "title", "link", "published", "provider", "author", "topics", "summary",
            "content_text", "warnings"}


def test_inspect_json_one_object_per_line(capsys):
    assert main(["inspect", "--json", "--config", str(REPO / "config.yaml"), str(SEEDS)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 5
    records = [json.loads(line) for line in lines]
    assert all(CONTRACT <= set(r) for r in records)
    by_seed = {r["path"].rsplit("/", 1)[-1][:3]: r for r in records}
    assert by_seed["000"]["published"] == "2023-06-10T05:19:00+00:00"
    assert by_seed["003"]["published"] is None
    assert by_seed["004"]["provider"] == {"name": "South China Morning Post", "domain": "scmp.com"}
    assert by_seed["003"]["author"] == "Sean Endicott"


def test_inspect_human_form_names_sources(capsys):
    (path,) = SEEDS.glob("002_*")
    main(["inspect", "--config", str(REPO / "config.yaml"), str(path)])
    out = capsys.readouterr().out
    assert "provider" in out and "sign-off" in out


def test_build_and_check_commands(tmp_path, capsys):
    out = tmp_path / "feeds"
    args = ["--config", str(REPO / "config.yaml"), "--seeds", str(SEEDS)]
    assert main(["build", *args, "--out", str(out), "--quiet"]) == 0
    assert "5 articles read" in capsys.readouterr().out
    assert (out / "all.atom").is_file()
    assert main(["check", *args, "--quiet"]) == 0
    assert "0 with problems" in capsys.readouterr().out


def test_bad_config_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "config.yaml"
    bad.write_text("item_limt: 5\n")
    assert main(["build", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "item_limt" in err and "item_limit" in err


def test_console_script_module_runs():
    result = subprocess.run([sys.executable, "-m", "feedsmith", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "build" in result.stdout


def test_the_command_flushes_its_output_and_keeps_the_exit_code(tmp_path):
    """``feedsmith`` leaves without tearing down the heap (see ``cli.run``): its output and
    its exit code must still arrive, also through a pipe closed early."""
    import os
    import shutil

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # output through a buffer
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    (seeds / "broken.md").write_bytes(b"\x00\x01binary")
    args = [sys.executable, "-m", "feedsmith", "build", "--config", str(REPO / "config.yaml"),
            "--seeds", str(seeds), "--out", str(tmp_path / "feeds")]
    strict = subprocess.run([*args, "--strict"], capture_output=True, text=True, env=env)
    assert strict.returncode == 1
    assert "5 articles read, 1 file skipped" in strict.stdout and "broken.md" in strict.stderr
    piped = subprocess.run(f"{' '.join(map(str, args))} | head -c 3", shell=True, capture_output=True,
                           text=True, env=env)
    assert piped.returncode == 0 and len(piped.stdout) == 3 and "Traceback" not in piped.stderr


def test_a_missing_seeds_folder_stops_the_build_instead_of_publishing_nothing(tmp_path, capsys):
    out = tmp_path / "feeds"
    code = main(["build", "--config", str(REPO / "config.yaml"), "--seeds", str(tmp_path / "typo"),
                 "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert "seeds folder" in err and "typo" in err and "--seeds DIR" in err
    assert not out.exists()
