#!/usr/bin/env bash
# Random secrets for deploy/docker-compose.yml, written to deploy/secrets/ (ignored by git). Run once.
set -euo pipefail
dir="$(dirname "$0")/secrets"
mkdir -p "$dir"
chmod 700 "$dir"
password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
[ -f "$dir/postgres-password" ] || printf '%s' "$password" > "$dir/postgres-password"
[ -f "$dir/connection-string" ] || printf 'Host=postgres;Port=5432;Database=hue;Username=hue;Password=%s' "$(cat "$dir/postgres-password")" > "$dir/connection-string"
[ -f "$dir/signing-key" ] || head -c 32 /dev/urandom | base64 | tr -d '\n' > "$dir/signing-key"
chmod 600 "$dir"/*
echo "secrets in $dir"
