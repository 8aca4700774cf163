#!/bin/sh
# Gathers seed inputs for compose_text: the project's own examples and test cases into
# fuzz/seeds/ (not committed: they are copies), and, when a directory is given, the compose
# files under it (the shared corpus) as well. Usage: fuzz/seed.sh [EXTRA_DIR]
set -eu
cd "$(dirname "$0")/.."
rm -rf fuzz/seeds && mkdir -p fuzz/seeds
n=0
find examples tests ${1:+"$1"} \( -name '*.yaml' -o -name '*.yml' \) -type f \
  ! -path '*golden*' ! -name 'expected*' | sort | while IFS= read -r f; do
  n=$((n + 1))
  cp "$f" "fuzz/seeds/$n.yaml"
done
echo "$(ls fuzz/seeds | wc -l) seeds in fuzz/seeds"
