#!/usr/bin/env bash
# The test command: set up, then lint, type-check and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/setup.sh
# The audit store's production backend is tested against the local PostgreSQL.
if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
fi
export HF_HUB_OFFLINE=1 LITELLM_LOCAL_MODEL_COST_MAP=True
.venv/bin/ruff check gateway tests evals
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
