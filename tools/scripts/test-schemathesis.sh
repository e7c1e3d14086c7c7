#!/usr/bin/env bash
# Schemathesis (pinned in tests/schemathesis/requirements.txt) against the real server: starts
# packages/server on a free port with a temporary data directory and a known API key, seeds a few
# change events, proves the event-stream check bites (stream_check.py), runs every operation of
# /openapi.json through every phase with every check (tests/schemathesis/schemathesis.toml), and
# stops the server. Reports in tests/schemathesis/.reports/: junit.xml (Schemathesis) and
# checks.xml (this script's own checks: the server started, the stream check bites, stream events
# were read and validated during the run, the server logged no error), both counted by summary.ts.
#
# Extra arguments go to `schemathesis run`; a longer exploration (packages/server/README.md):
#   tools/scripts/test-schemathesis.sh --max-examples 300 --seed "$RANDOM"
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
source "$here/python-env.sh"
suite="$TKA_ROOT/tests/schemathesis"
reports="$suite/.reports"
work="$(mktemp -d)"
key="schemathesis-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
server_pid=""
stream_pid=""
JUNIT_PREFIX=test-schemathesis
source "$here/lib/junit.sh"
mkdir -p "$reports"
rm -f -- "$reports/junit.xml" "$reports/checks.xml"

finish() {
  local status=$?
  [ -n "$stream_pid" ] && kill "$stream_pid" 2>/dev/null || true
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  # A stop no report shows (Schemathesis reports its own failures in junit.xml).
  if [ "$status" -ne 0 ] && [ "$junit_failed" -eq 0 ] && [ ! -s "$reports/junit.xml" ]; then
    junit_record "test-schemathesis.sh" fail "stopped with status $status"
  fi
  junit_write "$reports/checks.xml" test-schemathesis.sh
  rm -rf -- "$work"
  exit "$status"
}
trap finish EXIT

# The server: any free port, its own data, limits raised so the run tests the API rather than
# the rate limiters (their 429 is an accepted answer, but it would starve the run).
node "$TKA_ROOT/packages/server/src/main.ts" --port 0 --data-dir "$work/data" \
  --api-keys "schemathesis=$key" --rate-limit 1000000/1000000 --auth-failure-limit 1000000/1000000 \
  --log-level warn >"$work/server.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 600); do
  url="$(sed -n 's/.*"msg":"listening","url":"\([^"]*\)".*/\1/p' "$work/server.log" | head -n 1)"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  cat "$work/server.log" >&2
  junit_record "the server starts" fail "no listening line within 60 s"
  exit 1
fi
junit_record "the server starts" ok

# Seed: a listener on the stream, then a few changes; the first event id lets the hooks replay
# the rest (hooks.py), and the recorded events feed stream_check.py.
curl -sN --max-time 30 -H "X-API-Key: $key" "$url/api/v1/events" >"$work/stream.txt" &
stream_pid=$!
for _ in $(seq 1 100); do grep -q . "$work/stream.txt" 2>/dev/null && break; sleep 0.1; done
for name in Alpha Beta Gamma Delta; do
  curl -sf -o /dev/null -H "X-API-Key: $key" -H "Content-Type: application/json" \
    -d "{\"name\":\"$name\",\"beats\":[{\"letter\":\"a\"},{\"letter\":\"b\"}]}" "$url/api/v1/sequences"
done
first=""
for _ in $(seq 1 100); do
  [ "$(grep -c '^data:' "$work/stream.txt" 2>/dev/null || true)" -ge 4 ] && break
  sleep 0.1
done
first="$(sed -n 's/^id: *//p' "$work/stream.txt" | head -n 1)"
kill "$stream_pid" 2>/dev/null || true
stream_pid=""

# The stream check must bite: the seeded events pass, broken copies of them fail.
if [ -n "$first" ] && out="$(python "$suite/stream_check.py" "$url/openapi.json" "$work/stream.txt" 2>&1)"; then
  echo "$out"
  junit_record "the event-stream check accepts real events and refuses broken ones" ok
else
  junit_record "the event-stream check accepts real events and refuses broken ones" fail "${out:-no event reached the stream while seeding}"
fi

export TKA_SCHEMATHESIS_FIRST_EVENT="$first" TKA_SCHEMATHESIS_EVENTS="$work/events.txt"
export SCHEMATHESIS_HOOKS="$suite/hooks.py" PYTHONDONTWRITEBYTECODE=1
# Run from the temporary directory: Hypothesis keeps its files in the working directory.
cd "$work"
started=$(date +%s)
status=0
schemathesis --config-file "$suite/schemathesis.toml" --no-color run "$url/openapi.json" \
  --header "X-API-Key: $key" \
  --phases "${TKA_SCHEMATHESIS_PHASES:-examples,coverage,fuzzing,stateful}" \
  --report junit --report-junit-path "$reports/junit.xml" \
  "$@" || status=$?
echo "test-schemathesis: Schemathesis ran for $(($(date +%s) - started)) s (exit status $status)"

events="$(awk '{ n += $1 } END { print n + 0 }' "$work/events.txt" 2>/dev/null || echo 0)"
if [ "$events" -gt 0 ]; then
  echo "test-schemathesis: $events stream events read and validated against the item schema"
  junit_record "stream events were read and validated during the run" ok
else
  junit_record "stream events were read and validated during the run" fail "no event of the SSE stream was checked"
fi
if grep -q '"level":"error"' "$work/server.log"; then
  junit_record "the server logged no error" fail "$(grep '"level":"error"' "$work/server.log" | head -n 5)"
else
  junit_record "the server logged no error" ok
fi
[ "$junit_failed" -eq 0 ] || status=1
exit "$status"
