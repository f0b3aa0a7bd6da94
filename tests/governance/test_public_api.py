"""The package's exported names stay accurate, and importing it does no work."""

from __future__ import annotations

import subprocess
import sys

from gateway import governance


def test_all_names_are_exported() -> None:
    assert sorted(governance.__all__) == governance.__all__
    for name in governance.__all__:
        assert hasattr(governance, name), name


def test_importing_the_package_does_not_import_guardrails() -> None:
    code = "import sys, gateway.governance; print('guardrails' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)

    assert result.stdout.strip() == "False"
