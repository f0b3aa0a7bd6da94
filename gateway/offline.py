"""Nothing phones home: switches for libraries that reach the internet by default.

Called first by every entry point (CLI, app factory), before those libraries are
imported. `setdefault` keeps an operator's explicit choice.
"""

from __future__ import annotations

import os

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",  # sentence-transformers / transformers: never fetch from the hub
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # litellm: no model cost map download at import
    "LITELLM_TELEMETRY": "False",
}


def enforce_offline() -> None:
    for name, value in OFFLINE_ENV.items():
        os.environ.setdefault(name, value)
