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
[ -d "$BUNDLE" ] && BUNDLE="$(cd "$BUNDLE" && pwd -P)"
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

step "framesense doctor (loads each packaged part: PyAV encoders, speech models, every exporter, Qt)"
fs doctor 2>&1 | sed 's/^/   /' | tee "$WORK/doctor.log"; took
for part in "media (PyAV)" "speech" "export otio" "export fcp7" "export fcpxml" "export edl" "desktop app"; do
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

step "framesense search --same-as (reused footage, by picture fingerprints: no CLIP needed)"
mkdir -p "$WORK/reuse" && cp "$WORK/demo/footage/Fleet Returns.mov" "$WORK/reuse/Archive Copy.mov"
fs --library "$LIB" index --no-speech "$WORK/reuse" 2>&1 | sed 's/^/   /'
fs --library "$LIB" search --same-as "$WORK/demo/footage/Fleet Returns.mov@8.0" --limit 3 2>&1 \
    | sed 's/^/   /' | tee "$WORK/same.log"; took
check "the shot is found again in the copy" grep -q "Archive Copy.mov" "$WORK/same.log"

if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
    step "no Python file or library is read from outside the bundle (strace of a search)"
    strace -f -e trace=open,openat,execve -o "$WORK/strace.log" \
        env -i PATH=/usr/bin:/bin HOME="$HOME" LANG=C.UTF-8 "$EXE" --library "$LIB" search --phrase "$PHRASE" >/dev/null
    grep -v ENOENT "$WORK/strace.log" | grep -Eo '"[^"]+\.(py|pyc|so[.0-9]*)"' | sort -u > "$WORK/opened.txt" || true
    outside="$(grep -v "^\"$BUNDLE/" "$WORK/opened.txt" | grep -Ev '^"/(usr/)?lib(64)?/' || true)"
    echo "   $(wc -l < "$WORK/opened.txt") Python files/libraries opened; outside the bundle and system lib dirs: ${outside:-none}"
    check "everything Python comes from the bundle" test -z "$outside"
fi

step "framesense export --phrase '$PHRASE' --format edl"
fs --library "$LIB" export --phrase "$PHRASE" --pad-before 0.25 --pad-after 0.25 --format edl \
    -o "$WORK/hits.edl" 2>&1 | sed 's/^/   /'; took
sed 's/^/   | /' "$WORK/hits.edl"
check "EDL has a title" grep -q "^TITLE:" "$WORK/hits.edl"
TC='[0-9]{2}:[0-9]{2}:[0-9]{2}[:;][0-9]{2}'
check "EDL has events with 4 timecodes" grep -Eq "^[0-9]{3} +[^ ]+ +[AVB0-9/]+ +C +$TC +$TC +$TC +$TC" "$WORK/hits.edl"
check "event source TC sits in Fleet Returns.mov (starts 10:00:00:00 at 25 fps)" \
    grep -Eq "^[0-9]{3} .* 10:00:0[0-9][:;][0-9]{2} 10:00:[0-9]{2}[:;][0-9]{2} " "$WORK/hits.edl"

# -- picture search on onnxruntime (issue 27) -------------------------------------------------------
# No registry ships CLIP weights: a tiny random open_clip model (tests/clip_fixture.py) is turned into an
# ONNX model folder by 'framesense models export-onnx' with the source environment's Python (torch is
# needed there only), unless FRAMESENSE_SMOKE_CLIP names a model folder. The bundle itself has no torch.
# Any deterministic weights give identity retrieval: a shot's own thumbnail finds that shot.
SRC_PY="${FRAMESENSE_SMOKE_PYTHON:-$HERE/../.venv/bin/python}"
if [ -z "${FRAMESENSE_SMOKE_CLIP:-}" ] && [ -x "$SRC_PY" ] && "$SRC_PY" -c "import torch, open_clip, onnx" 2>/dev/null; then
    step "an ONNX picture model made by 'framesense models export-onnx' (source environment, $SRC_PY)"
    PYTHONPATH="$HERE/..:$HERE/../tests" "$SRC_PY" -c "from clip_fixture import make_tiny_clip; make_tiny_clip('$WORK/tiny-clip')"
    PYTHONPATH="$HERE/.." "$SRC_PY" -m framesense models export-onnx "$WORK/tiny-clip" "$WORK/tiny-onnx" 2>&1 | sed 's/^/   /'
    FRAMESENSE_SMOKE_CLIP="$WORK/tiny-onnx"; took
fi
if [ -n "${FRAMESENSE_SMOKE_CLIP:-}" ]; then
    step "picture search by text and by image with $FRAMESENSE_SMOKE_CLIP"
    check "doctor: picture search works in the bundle" grep -q "^   ok   picture search:" "$WORK/doctor.log"
    fsv() { env -i PATH=/usr/bin:/bin HOME="$HOME" LANG=C.UTF-8 FRAMESENSE_CLIP_MODEL="$FRAMESENSE_SMOKE_CLIP" "$EXE" "$@"; }
    fsv --library "$LIB" index --no-speech "$WORK/demo/footage" 2>&1 | sed 's/^/   /' | tee "$WORK/index-visual.log"
    check "visual stage ran (no 'visual search is off' note)" bash -c "! grep -q 'visual search is off' '$WORK/index-visual.log'"
    fsv --library "$LIB" search --text "boats at sea" --limit 3 --json > "$WORK/text.json"
    check "a text search gives picture hits" grep -q '"kind": "text"' "$WORK/text.json"
    fsv --library "$LIB" search --like "$WORK/demo/footage/Fleet Returns.mov@8.0" --limit 1 --json > "$WORK/like.json"
    THUMB="$(grep -o '"thumbnail": "[^"]*"' "$WORK/like.json" | head -1 | cut -d'"' -f4)"
    fsv --library "$LIB" search --image "$THUMB" --limit 1 --json > "$WORK/image.json"
    sed 's/^/   /' "$WORK/image.json" | head -12; took
    check "an image search finds the shot's clip (its own thumbnail)" grep -q "Fleet Returns.mov" "$WORK/image.json"
elif grep -q "^   ok   picture search:" "$WORK/doctor.log"; then
    echo "(no torch in $SRC_PY to export a test model: set FRAMESENSE_SMOKE_CLIP=ONNX_MODEL_FOLDER to smoke-test picture search)"
fi

step "framesense app --smoke (offscreen window, phrase query, one hit on the timeline)"
fs --library "$LIB" app --smoke "$WORK/app.png" --query "$PHRASE" --timeline 1 --timeout 120 2>&1 \
    | sed 's/^/   /'; took
check "screenshot written" test -s "$WORK/app.png"
check "screenshot is a PNG" bash -c "head -c 8 '$WORK/app.png' | od -An -c | grep -q 'P   N   G'"

step "framesense app --smoke --play (the hits through the real player, sound into a WAV)"
fs --library "$LIB" app --smoke "$WORK/played.png" --query "$PHRASE" --play 8 --audio-out "$WORK/heard.wav" \
    --timeout 120 2>&1 | sed 's/^/   /' | tee "$WORK/play.log"; took
check "played with sound, no stall" grep -q "with sound" "$WORK/play.log"
check "WAV written (48 kHz stereo PCM)" bash -c "head -c 44 '$WORK/heard.wav' | od -An -tx1 | tr -d ' \n' | grep -q '52494646.*57415645.*80bb0000'"
check "frame log written" test -s "$WORK/heard.frames.json"

echo
if [ "$failures" -eq 0 ]; then
    echo "smoke: PASS (outputs in $WORK)"
else
    echo "smoke: $failures check(s) FAILED (outputs in $WORK)"
    exit 1
fi
