#!/usr/bin/env bash
# Regenerate requirements/deploy.txt: every dependency of sitegen and of its dependencies, and the build
# backend, pinned with the hashes of all their published files. The deploy job (which holds the signing key)
# and the pull-request check install only from it (pip install --require-hashes). Run it after changing the
# dependencies in pyproject.toml, and review the diff like code. pip-tools lives in a scratch venv: it is
# no dependency of the project.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
python3 -m venv "$scratch/venv"
"$scratch/venv/bin/pip" install --quiet pip-tools
"$scratch/venv/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
  --output-file requirements/deploy.txt pyproject.toml requirements/build.in
echo "requirements/deploy.txt updated; check it: python -m pytest tests/test_workflows.py"
