#!/usr/bin/env bash
# Smoke-test a built bundle (python build/build.py first; this script builds nothing).
#
#   build/smoke.sh [BUNDLE_DIR]        default: build/dist/framesense
#
# Every command runs the frozen binary in an empty environment (no virtualenv, no PYTHONPATH):
# version, demo footage with speech (written by the bundle itself, espeak-ng from the system),
# index into a fresh library, phrase search, EDL export, and the desktop app offscreen.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUNDLE="${1:-$HERE/dist/framesense}"
EXE="$BUNDLE/framesense"
[ -x "$EXE" ] || { echo "smoke: no bundle at $BUNDLE (run: python build/build.py)" >&2; exit 2; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/framesense-smoke.XXXXXX")"
LIB="$WORK/library"
PHRASE="fishing boats"
failures=0

fs() {  # the bundled binary, with nothing from the calling environment but PATH/HOME
    env -i PATH=/usr/bin:/bin HOME="$HOME" QT_QPA_PLATFORM=offscreen LANG=C.UTF-8 "$EXE" "$@"
}
step() { printf '\n== %s\n' "$*"; STEP_T0=$(date +%s.%N); }
took() { printf '   (%.1f s)\n' "$(echo "$(date +%s.%N) - $STEP_T0" | bc)"; }
check() {  # check DESCRIPTION COMMAND...
    local what="$1"; shift
    if "$@"; then echo "   ok: $what"; else echo "   FAIL: $what"; failures=$((failures + 1)); fi
}

echo "bundle: $BUNDLE ($(du -sh "$BUNDLE" | cut -f1)); work dir: $WORK"

step "framesense --version"
out="$(fs --version)"; echo "   $out"; took
check "prints the version" grep -q "^framesense, version [0-9]" <<<"$out"

step "framesense doctor (loads each packaged part: PyAV encoders, speech models, OTIO adapters, Qt)"
fs doctor 2>&1 | sed 's/^/   /' | tee "$WORK/doctor.log"; took
for part in "media (PyAV)" "speech" "otio adapter fcp_xml" "otio adapter fcpx_xml" "otio adapter cmx_3600" "desktop app"; do
    check "$part works in the bundle" grep -q "^   ok   $part:" "$WORK/doctor.log"
done
grep -q "^   ok   speech: tiny.en (package), base (package)" "$WORK/doctor.log" \
    && echo "   ok: both packaged speech models found" || { echo "   FAIL: speech models"; failures=$((failures + 1)); }

step "framesense demo --out $WORK/demo (generates footage with speech, indexes, searches)"
fs demo --out "$WORK/demo" 2>&1 | sed 's/^/   /' | tee "$WORK/demo.log"; took
check "demo wrote three clips" test "$(ls "$WORK/demo/footage" | wc -l)" -eq 3
check "demo's phrase search found '$PHRASE'" grep -Eq "phrase search '$PHRASE': [1-9][0-9]* hits" "$WORK/demo.log"

step "framesense index (fresh library)"
fs --library "$LIB" index "$WORK/demo/footage" 2>&1 | sed 's/^/   /' | tee "$WORK/index.log"; took
check "indexed 3 new files" grep -Eq "3 new" "$WORK/index.log"
fs --library "$LIB" media | sed 's/^/   /'
check "speech model available in the bundle" bash -c "! grep -qi 'speech.*unavailable\|no speech model' '$WORK/index.log'"

step "framesense search --phrase '$PHRASE'"
fs --library "$LIB" search --phrase "$PHRASE" 2>&1 | sed 's/^/   /' | tee "$WORK/search.log"; took
fs --library "$LIB" search --phrase "$PHRASE" --json > "$WORK/search.json"
check "search found the phrase in Fleet Returns.mov" grep -q "Fleet Returns.mov" "$WORK/search.json"
check "hit text has the words" grep -qi "fishing boats" "$WORK/search.json"

step "framesense export --phrase '$PHRASE' --format edl"
fs --library "$LIB" export --phrase "$PHRASE" --pad-before 0.25 --pad-after 0.25 --format edl \
    -o "$WORK/hits.edl" 2>&1 | sed 's/^/   /'; took
sed 's/^/   | /' "$WORK/hits.edl"
check "EDL has a title" grep -q "^TITLE:" "$WORK/hits.edl"
TC='[0-9]{2}:[0-9]{2}:[0-9]{2}[:;][0-9]{2}'
check "EDL has events with 4 timecodes" grep -Eq "^[0-9]{3} +[^ ]+ +[AVB0-9/]+ +C +$TC +$TC +$TC +$TC" "$WORK/hits.edl"
check "event source TC sits in Fleet Returns.mov (starts 10:00:00:00 at 25 fps)" \
    grep -Eq "^[0-9]{3} .* 10:00:0[0-9]:[0-9]{2} 10:00:[0-9]{2}:[0-9]{2} " "$WORK/hits.edl"

step "framesense app --smoke (offscreen window, phrase query, one hit on the timeline)"
fs --library "$LIB" app --smoke "$WORK/app.png" --query "$PHRASE" --timeline 1 --timeout 120 2>&1 \
    | sed 's/^/   /'; took
check "screenshot written" test -s "$WORK/app.png"
check "screenshot is a PNG" bash -c "head -c 8 '$WORK/app.png' | od -An -c | grep -q 'P   N   G'"

echo
if [ "$failures" -eq 0 ]; then
    echo "smoke: PASS (outputs in $WORK)"
else
    echo "smoke: $failures check(s) FAILED (outputs in $WORK)"
    exit 1
fi
