#!/usr/bin/env bash
# Runs the official MCP conformance suite's server scenarios against
# `host serve --http` serving the conformance test plugin (make conformance).
# Usage: run.sh HOST_BINARY PLUGIN_WASM
# The suite and the Node it needs (>= 22) are the npm packages pinned by
# package-lock.json here, installed with npm ci; nothing else is used from
# the machine but bash and curl.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
hostbin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
plugin="$2"
work="$(mktemp -d)"
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/plugins"
cp "$plugin" "$work/plugins/"
# The conformance plugin is local (no provider, no hosts): its calls make no
# token exchange, so the backend URL is a closed loopback port that nothing
# ever dials.
"$hostbin" serve --http 127.0.0.1:0 --plugins "$work/plugins" --backend-url http://127.0.0.1:9 \
	--cache-dir "$work/cache" --watch=false >"$work/host.log" 2>&1 &
pid=$!
url=""
for _ in $(seq 1 240); do
	url="$(sed -n 's/.*msg="serving MCP over streamable HTTP" url=\([^ ]*\).*/\1/p' "$work/host.log")"
	if [ -n "$url" ] && curl -fsS "${url%/mcp}/healthz" >/dev/null 2>&1; then break; fi
	if ! kill -0 "$pid" 2>/dev/null; then cat "$work/host.log" >&2; exit 1; fi
	url=""
	sleep 0.5
done
if [ -z "$url" ]; then echo "conformance: the host did not start serving" >&2; cat "$work/host.log" >&2; exit 1; fi
cd "$work"
suite() { "$here/node_modules/.bin/node" "$here/node_modules/@modelcontextprotocol/conformance/dist/index.js" server --url "$url" "$@"; }
status=0
# The active suite, then json-schema-2020-12, which applies to every tools
# server but is not in the active suite of this version of the suite.
suite --expected-failures "$here/expected-failures.yml" >"$work/suite.txt" 2>&1 || status=$?
suite --scenario json-schema-2020-12 >>"$work/suite.txt" 2>&1 || status=$?
# One line per scenario, in words of this script's own: the suite's
# "N passed, N failed" lines would read as a test runner's closing line.
left="$(sed -n 's/^  - //p' "$here/expected-failures.yml")"
passed=0
while read -r mark name; do
	name="${name%%:*}"
	if grep -qx "$name" <<<"$left"; then
		echo "  left out     $name"
	elif [ "$mark" = "✓" ]; then
		echo "  pass         $name"
		passed=$((passed + 1))
	else
		echo "  not passed   $name"
	fi
done < <(sed -n '/=== SUMMARY ===/,/^Total:/p' "$work/suite.txt" | grep -E '^(✓|✗) ')
schema="not passed"
grep -q '^Passed: 4/4' "$work/suite.txt" && schema="pass"
echo "  $schema         json-schema-2020-12"
if [ "$status" -eq 0 ]; then
	echo "conformance: $passed scenarios of the active suite and json-schema-2020-12 pass; every other is listed, with why, in tools/conformance/expected-failures.yml"
fi
if [ "$status" -ne 0 ]; then
	cat "$work/suite.txt" >&2
	echo "--- host log" >&2
	cat "$work/host.log" >&2
fi
exit "$status"
