"""The dependency layer is built by pip without Docker, once per requirements hash."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from infra.agentgate_cdk import assets

pytestmark = pytest.mark.infra


def _requirements(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    return path


def test_a_layer_built_for_these_requirements_is_reused_without_running_pip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    requirements = _requirements(tmp_path, "rfc8785==0.1.4\n")
    built = tmp_path / "build" / f"dependencies-{assets.requirements_hash(requirements)}" / "python"
    built.mkdir(parents=True)

    def no_pip(*args: object, **kwargs: object) -> None:
        raise AssertionError("pip ran although the layer was built")

    monkeypatch.setattr(subprocess, "run", no_pip)
    assert assets.build_dependencies(requirements, tmp_path / "build") == built.parent


def test_changed_requirements_get_a_layer_of_their_own(tmp_path: Path) -> None:
    first = assets.requirements_hash(_requirements(tmp_path, "rfc8785==0.1.4\n"))
    second = assets.requirements_hash(_requirements(tmp_path, "rfc8785==0.1.3\n"))
    assert first != second


def test_a_failed_install_says_why_and_leaves_no_layer_behind(tmp_path: Path) -> None:
    requirements = _requirements(tmp_path, "this is not a requirement ===\n")
    build_dir = tmp_path / "build"
    with pytest.raises(RuntimeError, match="dependency layer"):
        assets.build_dependencies(requirements, build_dir)
    assert list(build_dir.iterdir()) == []


def test_the_layer_targets_lambdas_platform() -> None:
    assert assets.PIP_PLATFORM == "manylinux2014_aarch64"
    assert assets.RUNTIME.name == f"python{assets.PIP_PYTHON_VERSION}"
    assert assets.ARCHITECTURE.name == "arm64"
