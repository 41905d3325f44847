"""`pip install ./sdk` in a fresh virtual environment: agentgate-client and what httpx, pydantic and
typer need, nothing else (never the domain package); `agentgate --help` works there."""

from __future__ import annotations

import json
import shutil
import subprocess
import venv
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# Inside the fresh environment: every installed distribution, and the closure of the SDK's requirements.
CLOSURE = r"""
import json, re
from importlib import metadata
def name(text):
    return re.split(r"[ ;<>=!~\[(]", text.strip(), maxsplit=1)[0].lower().replace("_", "-")
installed = {name(d.metadata["Name"]) for d in metadata.distributions()}
direct = sorted(name(r) for r in metadata.requires("agentgate-client") or [] if "extra ==" not in r)
needed, todo = set(), ["agentgate-client"]
while todo:
    current = todo.pop()
    if current in needed or current not in installed:
        continue
    needed.add(current)
    for requirement in metadata.requires(current) or []:
        if "extra ==" not in requirement and "platform_system == \"Windows\"" not in requirement:
            todo.append(name(requirement))
print(json.dumps({"installed": sorted(installed), "direct": direct, "needed": sorted(needed)}))
"""


def test_a_fresh_install_brings_only_the_three_dependencies_and_the_cli_runs(tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"

    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    source = shutil.copytree(
        REPO_ROOT / "sdk", tmp_path / "sdk", ignore=shutil.ignore_patterns("build", "*.egg-info")
    )
    install = subprocess.run(
        [*pip, str(source)], capture_output=True, text=True, timeout=600
    )  # builds in the copy
    assert install.returncode == 0, install.stderr

    report = json.loads(
        subprocess.run([str(python), "-c", CLOSURE], capture_output=True, text=True, check=True).stdout
    )
    assert report["direct"] == ["httpx", "pydantic", "typer"]
    extra = set(report["installed"]) - set(report["needed"]) - {"pip", "setuptools", "wheel"}
    assert extra == set(), f"installed beyond the SDK's dependencies: {sorted(extra)}"
    assert "agentgate" not in report["installed"]  # the domain package is never a dependency

    help_text = subprocess.run(
        [str(env_dir / "bin" / "agentgate"), "--help"], capture_output=True, text=True, timeout=60
    )
    assert help_text.returncode == 0 and "agents" in help_text.stdout and "Exit codes" in help_text.stdout
    imported = subprocess.run(
        [str(python), "-c", "import agentgate_client, sys; print('agentgate' in sys.modules)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert imported.stdout.strip() == "False"


def test_the_sdk_never_imports_the_domain_package():
    sources = (REPO_ROOT / "sdk" / "src" / "agentgate_client").rglob("*.py")
    offenders = [
        str(p) for p in sources if "from agentgate " in p.read_text() or "import agentgate\n" in p.read_text()
    ]
    assert offenders == []
