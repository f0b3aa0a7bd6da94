from __future__ import annotations

import subprocess
import sys

import gateway.rails


def test_every_exported_name_exists() -> None:
    for name in gateway.rails.__all__:
        assert hasattr(gateway.rails, name), name


def test_importing_the_package_loads_no_model_library() -> None:
    code = (
        "import sys, gateway.rails; "
        "print(sorted(m for m in ('torch', 'sklearn', 'sentence_transformers') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
