#!/usr/bin/env bash
# The hscale VS Code extension in the real VS Code workbench: code-server (VS Code 1.100.3, the last
# release for Node 20) driven by Debian's Chromium through playwright-core. tests/provision.py installs
# them into a cache outside the clone (the README's test command runs it first, so here it only finds
# them complete), builds and installs the .vsix, opens a project, waits for the diagnostic in the
# Problems panel, applies the preferred quick fix from the lightbulb with the keyboard, saves, and
# checks the file on disk and that the diagnostic is gone. Prints PASS and exits 0 on success.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
PY="${HSCALE_PY:-python3}"
CS_VERSION=4.100.3
TOOLS="${HSCALE_TEST_CACHE:-$HOME/.cache/hscale-ls-tests}/vscode-$CS_VERSION"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/hscale-vscode.XXXXXX")"
PGID=""
cleanup() {
  if [ -n "$PGID" ]; then kill -- "-$PGID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# chromium and code-server + playwright-core (into $TOOLS, complete only once its marker is written)
"$PY" "$ROOT/tests/provision.py" apt vscode
[ -f "$TOOLS/.provisioned" ] || { echo "code-server is not provisioned in $TOOLS"; exit 1; }

echo "== building the extension"
(cd "$ROOT/editors/vscode" && npm ci --no-audit --no-fund --loglevel=error >/dev/null && npm run --silent build >/dev/null \
   && npm run --silent package >/dev/null)
VSIX="$ROOT/editors/vscode/hscale-ls.vsix"

# a project with a Socket.IO server and no adapter, and traps: a module the server imports and an
# interpreter named in the workspace settings (machine scope: VS Code must ignore it), each leaving a marker
mkdir -p "$WORK/ws/.vscode" "$WORK/ud/User" "$WORK/ud/Machine" "$WORK/exts" "$WORK/home" "$WORK/tmp" "$WORK/markers"
printf 'open("%s/argparse", "w").close()\n' "$WORK/markers" > "$WORK/ws/argparse.py"
printf '#!/bin/sh\ntouch "%s/interpreter"\nexec "%s" "$@"\n' "$WORK/markers" "$PY" > "$WORK/ws/python"
chmod +x "$WORK/ws/python"
printf '{\n  "name": "app",\n  "dependencies": {\n    "socket.io": "^4.8.1"\n  }\n}\n' > "$WORK/ws/package.json"
printf 'const { Server } = require("socket.io");\nconst io = new Server(3000);\nio.on("connection", (s) => s.join("r"));\n' > "$WORK/ws/io.js"
cat > "$WORK/ws/.vscode/settings.json" <<JSON
{ "hscale.interpreter": "$WORK/ws/python", "hscale.debounceMs": 0 }
JSON
cat > "$WORK/ud/User/settings.json" <<JSON
{
  "hscale.interpreter": "$PY",
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "typescript.disableAutomaticTypeAcquisition": true,
  "workbench.tips.enabled": false
}
JSON
# machine-scoped settings come from the user settings, or in a remote window (code-server's) the remote ones
printf '{ "hscale.interpreter": "%s" }\n' "$PY" > "$WORK/ud/Machine/settings.json"
printf 'auth: none\ncert: false\n' > "$WORK/cfg.yaml"
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.local/share" \
       XDG_CACHE_HOME="$WORK/home/.cache" TMPDIR="$WORK/tmp"
CS="$TOOLS/node_modules/.bin/code-server"
"$CS" --config "$WORK/cfg.yaml" --user-data-dir "$WORK/ud" --extensions-dir "$WORK/exts" --install-extension "$VSIX" >/dev/null

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
setsid "$CS" --config "$WORK/cfg.yaml" --bind-addr "127.0.0.1:$PORT" --user-data-dir "$WORK/ud" --extensions-dir "$WORK/exts" \
  --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override "$WORK/ws" \
  > "$WORK/code-server.log" 2>&1 &
PGID=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

echo "== driving the workbench"
NODE_PATH="$TOOLS/node_modules" node "$HERE/e2e.mjs" "http://127.0.0.1:$PORT" "$WORK/ws" "$TOOLS/node_modules/playwright-core/index.js" \
  || { echo "--- code-server log"; tail -40 "$WORK/code-server.log"; exit 1; }
# printed after PASS, so the test sees the run did not end with it
if [ -n "$(ls -A "$WORK/markers")" ]; then echo "workspace code ran: $(ls "$WORK/markers")"; exit 1; fi
