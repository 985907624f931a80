#!/usr/bin/env bash
# Smoke-test a built bundle (python build/build.py first; this script builds nothing).
#
#   build/smoke.sh [BUNDLE_DIR]        default: build/dist/framesense
#
# Every command runs the frozen binary in an empty environment (no virtualenv, no PYTHONPATH) with a
# fresh HOME: version, doctor (QtMultimedia and the audio output the player uses), demo footage with
# speech (written by the bundle itself, espeak-ng from the system) and the command it prints, index
# into a fresh library, phrase search, EDL export, the desktop app offscreen, the hits played through
# a PulseAudio null sink whose monitor is recorded (parec) and checked against the frames shown, more
# than a minute of speech indexed under strace with no network call, Qt plugins that all load, Ray
# left out with a clear message, the desktop entry, and (with Xvfb) a window when started bare.
# Needs on the host: espeak-ng, pulseaudio + parec, strace; Xvfb + xwininfo for the window check.
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
mkdir -p "$WORK/home"            # a fresh HOME: nothing cached, and whatever the bundle writes there shows

# A PulseAudio server of the smoke's own (never the desktop's), whose only sink is a null sink: the
# player's sound goes there, and its monitor is recorded.
PULSE_DIR="$WORK/pulse"; PULSE="unix:$PULSE_DIR/native"; SINK=fs_smoke; PULSE_PID=""
if command -v pulseaudio >/dev/null && command -v parec >/dev/null; then
    mkdir -p "$PULSE_DIR"
    PULSE_RUNTIME_PATH="$PULSE_DIR" pulseaudio -n --daemonize=no --exit-idle-time=-1 --use-pid-file=no \
        --disable-shm=yes -L "module-native-protocol-unix socket=$PULSE_DIR/native" \
        -L "module-null-sink sink_name=$SINK sink_properties=device.description=FrameSense-smoke" \
        >"$WORK/pulse.log" 2>&1 &
    PULSE_PID=$!
    for _ in $(seq 50); do pactl --server "$PULSE" info >/dev/null 2>&1 && break; sleep 0.2; done
fi
cleanup() { [ -n "$PULSE_PID" ] && kill "$PULSE_PID" 2>/dev/null || true; }
trap cleanup EXIT

fs() {  # the bundled binary, with nothing from the calling environment but PATH, a fresh HOME and the sound server
    env -i PATH=/usr/bin:/bin HOME="$WORK/home" QT_QPA_PLATFORM=offscreen LANG=C.UTF-8 PULSE_SERVER="$PULSE" \
        "$EXE" "$@"
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
for part in "media (PyAV)" "speech" "word edges" "export otio" "export fcp7" "export fcpxml" "export edl" "desktop app"; do
    check "$part works in the bundle" grep -q "^   ok   $part:" "$WORK/doctor.log"
done
grep -q "^   ok   speech: tiny.en (package), base (package)" "$WORK/doctor.log" \
    && echo "   ok: both packaged speech models found" || { echo "   FAIL: speech models"; failures=$((failures + 1)); }
check "English word edges are force-aligned (pocketsphinx's en-us model and the hesitations in the bundle)" \
    grep -q "^   ok   word edges: English words force-aligned" "$WORK/doctor.log"
check "QtMultimedia loads and the player uses the smoke's null sink" \
    grep -q "^   ok   sound: QtMultimedia .* the player uses FrameSense-smoke ($SINK)" "$WORK/doctor.log"
check "picture search is in the bundle, on onnxruntime (no torch)" \
    grep -Eq "^   ok   picture search: onnxruntime" "$WORK/doctor.log"
check "doctor's advice fits a bundle (no bare pip install)" \
    bash -c '! grep -v "install FrameSense from source" "$1" | grep -q "pip install"' _ "$WORK/doctor.log"

step "framesense demo --out $WORK/demo (generates footage with speech, indexes, searches)"
fs demo --out "$WORK/demo" 2>&1 | sed 's/^/   /' | tee "$WORK/demo.log"; took
check "demo wrote three clips" test "$(ls "$WORK/demo/footage" | wc -l)" -eq 3
check "demo's phrase search found '$PHRASE'" grep -Eq "phrase search '$PHRASE': [1-9][0-9]* hits" "$WORK/demo.log"
OPEN="$(grep -A1 '^   Open it in the window with:' "$WORK/demo.log" | tail -1 | sed 's/^ *//')"
echo "   the demo says to open its library with: $OPEN"
check "demo ends with the bundle's own command for its library" \
    bash -c "[[ '$OPEN' == '$EXE --library $WORK/demo/library app' ]]"
# the printed command, as printed (the smoke's paths have no spaces), opens the window on the demo's hits
env -i PATH=/usr/bin:/bin HOME="$WORK/home" QT_QPA_PLATFORM=offscreen LANG=C.UTF-8 PULSE_SERVER="$PULSE" $OPEN --smoke "$WORK/demo.png" \
    --query "$PHRASE" --timeout 120 2>&1 | sed 's/^/   /' | tee "$WORK/demo-app.log"
check "that command opens the demo's library with its hits" grep -Eq "screenshot: .*\([1-9][0-9]* hits" "$WORK/demo-app.log"

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

step "the hits through the audio device (a PulseAudio null sink), its monitor recorded with parec"
if [ -n "$PULSE_PID" ]; then
    parec --server "$PULSE" -d "$SINK.monitor" --format=s16le --rate=48000 --channels=2 > "$WORK/device.raw" &
    REC_PID=$!
    fs --library "$LIB" app --smoke "$WORK/device.png" --query "$PHRASE" --play 12 --frames-log "$WORK/device.frames.json" \
        --timeout 120 2>&1 | sed 's/^/   /' | tee "$WORK/device.log"
    sleep 0.5; kill -INT "$REC_PID"; wait "$REC_PID" 2>/dev/null || true
    echo "   recorded $(( $(stat -c %s "$WORK/device.raw") / 192000 )) s from $SINK.monitor"
    check "played with sound through the device" grep -q "with sound" "$WORK/device.log"
    fs check-heard "$WORK/device.raw" "$WORK/device.frames.json" 2>&1 | sed 's/^/   /' | tee "$WORK/heard.log"
    check "the recording holds every hit's speech where its frames were shown (within a frame)" \
        bash -c "grep -q '^   ok ' '$WORK/heard.log' && ! grep -q FAIL '$WORK/heard.log'"
else
    echo "   FAIL: pulseaudio and parec are needed for the sound check (apt-get install pulseaudio pulseaudio-utils)"
    failures=$((failures + 1))
fi

step "no network: more than a minute of speech indexed under strace, in a fresh HOME"
if command -v strace >/dev/null && command -v espeak-ng >/dev/null; then
    mkdir -p "$WORK/speech"
    espeak-ng -w "$WORK/speech/talk.wav" -s 150 "$(for i in $(seq 12); do
        printf 'The harbour wakes before the sun comes up, and the fishing boats leave the quay one by one. '; done)"
    secs=$(( $(stat -c %s "$WORK/speech/talk.wav") / 44100 ))
    strace -f -qq --seccomp-bpf -e trace=connect,sendto,sendmsg -o "$WORK/net.trace" \
        env -i PATH=/usr/bin:/bin HOME="$WORK/home" LANG=C.UTF-8 "$EXE" --library "$WORK/speech-lib" index \
        "$WORK/speech" 2>&1 | tail -1 | sed 's/^/   /'; took
    leaks="$(grep -E 'sa_family=AF_INET6?\b|htons\(53\)' "$WORK/net.trace" || true)"
    echo "   about $secs s of speech; internet connections or DNS queries: ${leaks:-none}"
    check "at least 60 s of speech" test "$secs" -ge 60
    check "no AF_INET/AF_INET6 connect and no DNS query" test -z "$leaks"
    check "nothing written under HOME/.cache/Microsoft (onnxruntime telemetry)" test ! -e "$WORK/home/.cache/Microsoft"
else
    echo "   FAIL: strace and espeak-ng are needed for the network check"; failures=$((failures + 1))
fi

step "a lean bundle: every Qt plugin loads, Ray is left out and says so"
bad_plugins=""
while IFS= read -r -d '' so; do
    missing="$(LD_LIBRARY_PATH="$BUNDLE/_internal" ldd "$so" 2>/dev/null | awk '/not found/ {print $1}' | grep '^libQt6' || true)"
    [ -n "$missing" ] && bad_plugins+="${so#$BUNDLE/} needs $(echo $missing); "
done < <(find "$BUNDLE/_internal/PySide6/Qt/plugins" -name '*.so' -print0)
echo "   $(find "$BUNDLE/_internal/PySide6/Qt/plugins" -name '*.so' | wc -l) Qt plugins; that cannot load: ${bad_plugins:-none}"
check "no Qt plugin links a Qt library the bundle lacks" test -z "$bad_plugins"
fs index --help > "$WORK/index-help.txt"
check "index --help says the bundle leaves Ray out" grep -q "desktop bundle leaves Ray out" "$WORK/index-help.txt"
fs --library "$WORK/ray-lib" index --ray local "$WORK/demo/footage" > "$WORK/ray.log" 2>&1 && ray_rc=0 || ray_rc=$?
sed 's/^/   /' "$WORK/ray.log" | tail -2
check "index --ray says this bundle has no Ray (exit $ray_rc)" \
    bash -c "[ $ray_rc -ne 0 ] && grep -q 'this desktop bundle has no Ray' '$WORK/ray.log'"

step "the desktop entry: framesense install-desktop"
env -i PATH=/usr/bin:/bin HOME="$WORK/home" XDG_DATA_HOME="$WORK/xdg" LANG=C.UTF-8 "$EXE" install-desktop | sed 's/^/   /'
check "the entry runs this bundle's window" grep -qx "Exec=$EXE app" "$WORK/xdg/applications/framesense.desktop"
check "its icon is in place" test -s "$WORK/xdg/icons/hicolor/256x256/apps/framesense.png"

if command -v Xvfb >/dev/null && command -v xwininfo >/dev/null; then
    step "started with no arguments and no terminal (a double-click), on an X server: a window opens"
    Xvfb :87 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & XVFB_PID=$!
    sleep 1
    env -i PATH=/usr/bin:/bin HOME="$WORK/home" DISPLAY=:87 LANG=C.UTF-8 PULSE_SERVER="$PULSE" "$EXE" \
        </dev/null >"$WORK/bare.log" 2>&1 & BARE_PID=$!
    window=""
    for _ in $(seq 60); do
        window="$(DISPLAY=:87 xwininfo -root -tree 2>/dev/null | grep -o '"FrameSense[^"]*"' | head -1 || true)"
        [ -n "$window" ] && break; sleep 1
    done
    kill "$BARE_PID" 2>/dev/null || true; wait "$BARE_PID" 2>/dev/null || true
    kill "$XVFB_PID" 2>/dev/null || true; wait "$XVFB_PID" 2>/dev/null || true
    echo "   window: ${window:-none}"; took
    check "a FrameSense window appeared" test -n "$window"
else
    echo "(Xvfb/xwininfo not installed: the double-click check is skipped)"
fi

echo
if [ "$failures" -eq 0 ]; then
    echo "smoke: PASS (outputs in $WORK)"
else
    echo "smoke: $failures check(s) FAILED (outputs in $WORK)"
    exit 1
fi
