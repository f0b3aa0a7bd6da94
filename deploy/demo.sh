#!/usr/bin/env bash
# One command from a fresh clone to a running gateway: set up, seed the demo
# brand and train the small model when missing, then serve on 127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/setup.sh
exec .venv/bin/loyalty-gateway demo
