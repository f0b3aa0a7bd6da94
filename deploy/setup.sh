#!/usr/bin/env bash
# Set up everything the gateway needs on a fresh machine, idempotently:
# a Python 3.11 venv in .venv with the hash-locked dependencies, the project
# itself, and a Redis server on 127.0.0.1:6379 (started if none answers).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
export PIP_DISABLE_PIP_VERSION_CHECK=1

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi

lock_stamp=".venv/.lock-$(sha256sum requirements.lock pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$lock_stamp" ]; then
  echo "installing locked dependencies (first run takes a few minutes)..."
  # torch first, from its exact locked file: an unpinned torch pulls gigabytes of CUDA.
  grep -A1 '^torch==' requirements.lock > .venv/torch.lock
  .venv/bin/python -m pip install --quiet --require-hashes --no-deps -r .venv/torch.lock
  .venv/bin/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
  .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
  .venv/bin/python -m pip check
  rm -f .venv/.lock-*
  touch "$lock_stamp"
fi

# Redis: use the one on 127.0.0.1:6379; start a local one (no persistence) if none answers.
if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  echo "starting redis-server on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir "${TMPDIR:-/tmp}" --logfile "${TMPDIR:-/tmp}/loyalty-gateway-redis.log"
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && break; sleep 0.1; done
fi
