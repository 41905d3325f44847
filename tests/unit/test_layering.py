"""Dependencies go one way: handlers -> services -> data -> models/platform, never upward."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "layers/domain/python/agentgate"
# A module of the folder on the left may never import a module whose name starts with one on the right.
# The one exception, by design: a recorded change appends to the audit chain and emits its event, whose
# own transactional logic stays in those two services (imported when first used, see data/changes.py).
ALLOWED = {"data/changes.py": {"agentgate.services.audit", "agentgate.services.events"}}
FORBIDDEN = {
    "platform": ("agentgate.services", "agentgate.auth", "agentgate.data", "agentgate.models", "functions"),
    "auth": ("agentgate.services", "functions"),
    "data": ("agentgate.services", "functions"),
    "services": ("functions",),
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.add(first.value)
    return names


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_no_module_imports_a_higher_layer(folder):
    offences = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in sorted((PACKAGE / folder).rglob("*.py"))
        for name in sorted(_imports(path))
        if name.startswith(FORBIDDEN[folder]) and name not in ALLOWED.get(str(path.relative_to(PACKAGE)), ())
    ]
    assert offences == []


def test_the_authorizer_is_a_service_so_it_may_call_api_keys_and_members():
    assert not (PACKAGE / "auth/authorizer.py").exists()
    imported = _imports(PACKAGE / "services/authorizer.py")
    assert {"agentgate.services.api_keys", "agentgate.services.members"} <= imported
