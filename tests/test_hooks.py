"""examples/hooks: the git pre-commit hook and the upload check, run for real (git, the CLI, and
the live service)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

HOOKS = Path(__file__).resolve().parent.parent / "examples" / "hooks"
BIN = str(Path(sys.executable).parent)

# a new sample of an existing partner (CTH) made of an existing material (LNO): conforms
GOOD_TTL = """@prefix bmk: <https://w3id.org/bigmap-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix sample: <https://w3id.org/bigmap-kg/id/sample/> .
sample:hook-test-electrode a bmk:Sample ;
    skos:prefLabel "LNO electrode (hook test)"@en ;
    bmk:identifier "hook-test-electrode" ;
    bmk:sampleShape bmk:ElectrodeShape ;
    bmk:madeOf <https://w3id.org/bigmap-kg/id/material/lno> ;
    bmk:preparedBy <https://w3id.org/bigmap-kg/id/partner/CTH> .
"""
GOOD_JSONLD = json.dumps({
    "@context": {"bmk": "https://w3id.org/bigmap-kg/ontology#",
                 "skos": "http://www.w3.org/2004/02/skos/core#"},
    "@id": "https://w3id.org/bigmap-kg/id/sample/hook-test-electrode",
    "@type": "bmk:Sample",
    "skos:prefLabel": {"@value": "LNO electrode (hook test)", "@language": "en"},
    "bmk:identifier": "hook-test-electrode",
    "bmk:sampleShape": {"@id": "bmk:ElectrodeShape"},
    "bmk:madeOf": {"@id": "https://w3id.org/bigmap-kg/id/material/lno"},
    "bmk:preparedBy": {"@id": "https://w3id.org/bigmap-kg/id/partner/CTH"},
})
# the same sample without its sample ID (bmk:identifier is required)
BAD_TTL = "\n".join(line for line in GOOD_TTL.splitlines() if "bmk:identifier" not in line) + "\n"
MISSING_ID = "needs exactly one sample ID (bmk:identifier)"
# a Turtle syntax error on line 7
BROKEN_TTL = GOOD_TTL.replace("bmk:ElectrodeShape ;", "bmk:ElectrodeShape ,, ;")


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def hook_env(tmp_path: Path, live_service: str) -> dict[str, str]:
    """git and bigmap-kg isolated from the user's configuration; links resolved on the live service."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BIGMAP_KG_", "GIT_"))}
    return env | {"PATH": BIN + os.pathsep + env.get("PATH", ""), "HOME": str(tmp_path),
                  "XDG_CONFIG_HOME": str(tmp_path / "config"), "GIT_CONFIG_NOSYSTEM": "1",
                  "BIGMAP_KG_ENDPOINT": live_service + "/sparql"}


@pytest.fixture
def data_repo(tmp_path: Path, hook_env: dict[str, str]) -> Path:
    """A git repository of data files with the hook installed."""
    repo = tmp_path / "data-repo"
    repo.mkdir()
    for args in (["git", "init", "-q"], ["git", "config", "user.name", "Hook Test"],
                 ["git", "config", "user.email", "hook-test@example.org"]):
        run(args, repo, hook_env).check_returncode()
    hook = repo / ".git" / "hooks" / "pre-commit"
    shutil.copy(HOOKS / "pre-commit", hook)
    hook.chmod(0o755)
    (repo / "samples").mkdir()
    return repo


def commit(repo: Path, env: dict[str, str], files: dict[str, str]) -> subprocess.CompletedProcess[str]:
    for name, text in files.items():
        (repo / name).write_text(text, encoding="utf-8")
    run(["git", "add", *files], repo, env).check_returncode()
    return run(["git", "commit", "-m", "add data"], repo, env)


def commits(repo: Path, env: dict[str, str]) -> int:
    done = run(["git", "rev-list", "--count", "HEAD"], repo, env)
    return int(done.stdout) if done.returncode == 0 else 0


def test_hook_lets_a_conforming_sample_be_committed(data_repo, hook_env):
    done = commit(data_repo, hook_env, {"samples/new electrode.ttl": GOOD_TTL})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "samples/new electrode.ttl: valid (0 violations)" in done.stdout + done.stderr
    assert commits(data_repo, hook_env) == 1


def test_hook_refuses_a_sample_without_its_id_and_shows_the_report(data_repo, hook_env):
    done = commit(data_repo, hook_env, {"samples/bad.ttl": BAD_TTL})
    shown = done.stdout + done.stderr
    assert done.returncode != 0
    assert "samples/bad.ttl: 1 violation(s)" in shown
    assert "sample/hook-test-electrode [identifier]" in shown and MISSING_ID in shown
    assert "commit refused" in shown
    assert commits(data_repo, hook_env) == 0


def test_hook_checks_the_staged_file_not_the_working_copy(data_repo, hook_env):
    name = "samples/electrode.ttl"
    (data_repo / name).write_text(BAD_TTL, encoding="utf-8")
    run(["git", "add", name], data_repo, hook_env).check_returncode()
    (data_repo / name).write_text(GOOD_TTL, encoding="utf-8")  # fixed, but not staged
    done = run(["git", "commit", "-m", "add data"], data_repo, hook_env)
    assert done.returncode != 0 and MISSING_ID in done.stdout + done.stderr


def test_hook_refuses_an_unreadable_file_with_its_line(data_repo, hook_env):
    done = commit(data_repo, hook_env, {"samples/broken.ttl": BROKEN_TTL})
    assert done.returncode != 0
    assert "samples/broken.ttl, line 7" in done.stderr
    assert commits(data_repo, hook_env) == 0


def test_hook_skips_commits_without_rdf_files(data_repo, hook_env):
    env = hook_env | {"BIGMAP_KG": str(data_repo / "no-such-command")}  # would fail if it ran
    done = commit(data_repo, env, {"README.md": "Data of the hook test.\n"})
    assert done.returncode == 0, done.stderr
    assert commits(data_repo, env) == 1


# -- upload_check.py -------------------------------------------------------------------------------

def upload_check(tmp_path: Path, service: str, name: str, text: str,
                 *extra: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIGMAP_KG_")}
    return run([sys.executable, str(HOOKS / "upload_check.py"), "--service", service, name, *extra],
               tmp_path, env)


@pytest.mark.parametrize(("name", "text"), [("good.ttl", GOOD_TTL), ("good.jsonld", GOOD_JSONLD)])
def test_upload_check_passes_a_conforming_file(tmp_path, live_service, name, text):
    done = upload_check(tmp_path, live_service, name, text)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == f"{name}: conforms"


def test_upload_check_fails_a_sample_without_its_id_and_prints_each_problem(tmp_path, live_service):
    done = upload_check(tmp_path, live_service, "bad.ttl", BAD_TTL)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "bad.ttl: 1 violation(s), 0 warning(s)"
    assert lines[1].startswith("  Violation: ") and MISSING_ID in lines[1]
    assert "    focus: https://w3id.org/bigmap-kg/id/sample/hook-test-electrode" in lines
    assert "    path: identifier" in lines


def test_upload_check_standalone_reports_links_to_the_catalogue_as_unknown(tmp_path, live_service):
    done = upload_check(tmp_path, live_service, "good.ttl", GOOD_TTL, "--standalone")
    assert done.returncode == 1
    assert "    value: https://w3id.org/bigmap-kg/id/partner/CTH" in done.stdout.splitlines()


def test_upload_check_reports_an_unreadable_file_with_its_line(tmp_path, live_service):
    done = upload_check(tmp_path, live_service, "broken.ttl", BROKEN_TTL)
    assert done.returncode == 2
    assert "broken.ttl: refused by the service (400): turtle syntax error" in done.stderr
    assert "  where: file broken.ttl, line 7" in done.stderr


def test_upload_check_exits_2_when_the_service_is_unreachable(tmp_path):
    done = upload_check(tmp_path, f"http://127.0.0.1:{unused_port()}", "good.ttl", GOOD_TTL)
    assert done.returncode == 2
    assert "cannot reach" in done.stderr
