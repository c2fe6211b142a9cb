#!/usr/bin/env bash
# Deploy/check-units.sh: the CI check of Deploy/ (units, scripts, package).
# Runs as root on Debian where PID 1 need not be systemd; installs what it
# needs (systemd, python3-seccomp, shellcheck) quietly; works only in temp
# dirs and in throwaway overlay mounts of / inside a private mount namespace,
# never on the real /etc or /usr. Prints a PASS/FAIL/SKIP summary; exits 1 on
# any FAIL.
#
# Environment:
#   LEDGER_BIN_DIR=DIR     real ledgerd/ledgerctl (default: .build/release,
#                          then .build/debug, if they exist)
#   LEDGER_CHECK_LINTIAN=1 install lintian if missing and run it (default:
#                          run it only if already installed)
#   LEDGER_EXPOSURE_MAX=N  threshold for systemd-analyze security (2.0)
set -uo pipefail

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$DEPLOY_DIR")
EXPOSURE_MAX=${LEDGER_EXPOSURE_MAX:-2.0}
UNITS=(ledgerd.service ledgerd.socket ledger-backup.service ledger-backup.timer)
START=$(date +%s)

RESULTS=()
FAILED=0
pass() { RESULTS+=("PASS  $*"); printf '  PASS  %s\n' "$*"; }
fail() { RESULTS+=("FAIL  $*"); printf '  FAIL  %s\n' "$*"; FAILED=1; }
skip() { RESULTS+=("SKIP  $*"); printf '  SKIP  %s\n' "$*"; }
note() { printf '        %s\n' "$*"; }
stage() { printf '\n== %s\n' "$*"; }
indent() { sed 's/^/        | /'; }

[ "$(id -u)" = 0 ] || { echo "check-units.sh: run as root (CI does)" >&2; exit 2; }

TMP=$(mktemp -d /tmp/ledger-check.XXXXXX)
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT

# --- tools -------------------------------------------------------------------
stage "tools"
need_pkgs=()
command -v systemd-analyze >/dev/null 2>&1 || need_pkgs+=(systemd)
command -v dpkg-deb >/dev/null 2>&1 || need_pkgs+=(dpkg)
command -v objdump >/dev/null 2>&1 || need_pkgs+=(binutils)
command -v shellcheck >/dev/null 2>&1 || need_pkgs+=(shellcheck)
/usr/bin/python3 -c 'import seccomp' >/dev/null 2>&1 || need_pkgs+=(python3-seccomp)
if [ "${LEDGER_CHECK_LINTIAN:-0}" = 1 ] && ! command -v lintian >/dev/null 2>&1; then
    need_pkgs+=(lintian)
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
    note "installing ${need_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >"$TMP/apt.log" 2>&1; then
        apt-get update -qq >/dev/null 2>&1 || true
        apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >"$TMP/apt.log" 2>&1 \
            || { tail -5 "$TMP/apt.log" | indent; }
    fi
fi
if command -v systemd-analyze >/dev/null 2>&1; then
    pass "tools: $(systemd-analyze --version | head -1)"
else
    fail "tools: systemd-analyze missing and could not be installed"
fi

# --- binaries ----------------------------------------------------------------
REAL_BIN=
for dir in ${LEDGER_BIN_DIR:-} "$REPO_DIR/.build/release" "$REPO_DIR/.build/debug"; do
    if [ -x "$dir/ledgerd" ] && [ -x "$dir/ledgerctl" ]; then REAL_BIN=$(cd "$dir" && pwd -P); break; fi
done
STANDIN=$TMP/standin
mkdir -p "$STANDIN"
for bin in ledgerd ledgerctl; do
    printf '#!/bin/sh\n# stand-in for %s (check-units.sh)\necho %s "$@"\n' "$bin" "$bin" > "$STANDIN/$bin"
    chmod 0755 "$STANDIN/$bin"
done
BIN=${REAL_BIN:-$STANDIN}
# The daemon is "real" once it takes --config (the skeleton only prints its name).
DAEMON_READY=0
if [ -n "$REAL_BIN" ] && timeout 10 "$REAL_BIN/ledgerd" --help 2>&1 | grep -q -- '--config'; then
    DAEMON_READY=1
fi
if [ -n "$REAL_BIN" ]; then
    note "binaries: $REAL_BIN (daemon implemented: $([ $DAEMON_READY = 1 ] && echo yes || echo 'no, skeleton'))"
else
    note "binaries: none built; stand-in scripts at the ExecStart paths"
fi

# Runs "$@" as root inside a private mount namespace whose / is a throwaway
# overlay of the real / (writes vanish when it exits). The command runs
# chrooted, with /proc, /dev and $TMP (shared, for results) mounted.
overlay_run() {
    unshare --mount --propagation private -- bash -c '
        set -e
        tmp=$1; shift
        base=$(mktemp -d "$tmp/ovl.XXXXXX")
        mount -t tmpfs tmpfs "$base"
        mkdir "$base/up" "$base/work" "$base/root"
        mount -t overlay overlay -o "lowerdir=/,upperdir=$base/up,workdir=$base/work" "$base/root"
        mount -t proc proc "$base/root/proc"
        mount --rbind /dev "$base/root/dev"
        mount -t tmpfs tmpfs "$base/root/run"
        mkdir -p "$base/root$tmp"
        mount --bind "$tmp" "$base/root$tmp"
        exec chroot "$base/root" "$@"
    ' overlay_run "$TMP" "$@"
}
OVERLAY=0
if overlay_run /bin/true >/dev/null 2>&1; then OVERLAY=1; fi
note "throwaway overlay root: $([ $OVERLAY = 1 ] && echo available || echo 'not available (no CAP_SYS_ADMIN?)')"

# --- scripts -------------------------------------------------------------------
stage "scripts"
for script in ledger-backup debian/postinst debian/prerm debian/postrm; do
    if out=$(sh -n "$DEPLOY_DIR/$script" 2>&1) && { ! command -v dash >/dev/null || dash -n "$DEPLOY_DIR/$script"; }; then
        pass "sh -n $script (POSIX sh)"
    else
        fail "sh -n $script"; printf '%s\n' "$out" | indent
    fi
done
for script in install.sh build-deb.sh check-units.sh; do
    if out=$(bash -n "$DEPLOY_DIR/$script" 2>&1); then pass "bash -n $script"; else fail "bash -n $script"; printf '%s\n' "$out" | indent; fi
done
if command -v shellcheck >/dev/null 2>&1; then
    if out=$(cd "$DEPLOY_DIR" && shellcheck -S warning -s sh ledger-backup debian/postinst debian/prerm debian/postrm 2>&1 \
            && shellcheck -S warning install.sh build-deb.sh check-units.sh 2>&1); then
        pass "shellcheck -S warning (all scripts)"
    else
        fail "shellcheck -S warning"; printf '%s\n' "$out" | head -40 | indent
    fi
else
    skip "shellcheck not installed"
fi
if out=$(/usr/bin/python3 -m py_compile "$DEPLOY_DIR/seccomp-run" 2>&1); then pass "python3 compiles seccomp-run"; else fail "seccomp-run: $out"; fi
rm -rf "$DEPLOY_DIR/__pycache__"

# --- systemd-analyze verify ------------------------------------------------------
stage "systemd-analyze verify (any stderr output fails)"
UNIT_DIR=$TMP/units
mkdir -p "$UNIT_DIR"
for unit in "${UNITS[@]}"; do cp "$DEPLOY_DIR/$unit" "$UNIT_DIR/"; done
# A unit with an unknown key: verify must complain, or this check is blind.
printf '[Service]\nExecStart=/bin/true\nNoSuchKey=1\n' > "$UNIT_DIR/ledger-canary.service"
cat > "$TMP/verify.sh" <<'EOF'
#!/bin/bash
# Inside the throwaway root: binaries at the ExecStart paths, then verify.
set -u
tmp=$1 bin=$2 deploy=$3; shift 3
install -D -m 0755 "$bin/ledgerd" /usr/bin/ledgerd
install -D -m 0755 "$bin/ledgerctl" /usr/bin/ledgerctl
install -D -m 0755 "$deploy/ledger-backup" /usr/lib/ledger/ledger-backup
for unit in "$@"; do
    SYSTEMD_UNIT_PATH=$tmp/units: systemd-analyze verify --man=no "$unit" >"$tmp/verify.$unit.out" 2>"$tmp/verify.$unit.err"
    echo $? >"$tmp/verify.$unit.rc"
done
EOF
chmod 0755 "$TMP/verify.sh"
if [ $OVERLAY = 1 ]; then
    overlay_run "$TMP/verify.sh" "$TMP" "$BIN" "$DEPLOY_DIR" "${UNITS[@]}" ledger-canary.service
    MODE="ExecStart binaries installed in a throwaway overlay root"
else
    # Fallback: ExecStart paths rewritten to temp copies (same syntax checks).
    mkdir -p "$TMP/fake/bin" "$TMP/fake/lib"
    cp "$BIN/ledgerd" "$BIN/ledgerctl" "$TMP/fake/bin/"; cp "$DEPLOY_DIR/ledger-backup" "$TMP/fake/lib/"
    sed -i "s#/usr/bin/ledgerd#$TMP/fake/bin/ledgerd#; s#/usr/lib/ledger/ledger-backup#$TMP/fake/lib/ledger-backup#" "$UNIT_DIR"/*
    for unit in "${UNITS[@]}" ledger-canary.service; do
        SYSTEMD_UNIT_PATH=$UNIT_DIR: systemd-analyze verify --man=no "$unit" >"$TMP/verify.$unit.out" 2>"$TMP/verify.$unit.err"
        echo $? >"$TMP/verify.$unit.rc"
    done
    MODE="ExecStart paths rewritten to temp copies (no overlay root)"
fi
note "$MODE"
if [ -s "$TMP/verify.ledger-canary.service.err" ]; then
    pass "canary: verify reports an unknown key on stderr"
else
    fail "canary: verify printed nothing for a unit with an unknown key: this check cannot see warnings"
fi
for unit in "${UNITS[@]}"; do
    rc=$(cat "$TMP/verify.$unit.rc" 2>/dev/null || echo missing)
    if [ "$rc" = 0 ] && [ ! -s "$TMP/verify.$unit.err" ]; then
        pass "verify $unit"
    else
        fail "verify $unit (exit $rc)"; cat "$TMP/verify.$unit.err" "$TMP/verify.$unit.out" 2>/dev/null | indent
    fi
done

# --- systemd-analyze security ------------------------------------------------------
stage "systemd-analyze security --offline=yes (exposure <= $EXPOSURE_MAX)"
for unit in ledgerd.service ledger-backup.service; do
    out=$(cd "$DEPLOY_DIR" && systemd-analyze security --offline=yes "./$unit" 2>"$TMP/security.err")
    level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
    if [ -s "$TMP/security.err" ]; then
        fail "security $unit: stderr output"; indent < "$TMP/security.err"
    elif [ -z "$level" ]; then
        fail "security $unit: no exposure level in the output"
    elif awk -v l="$level" -v m="$EXPOSURE_MAX" 'BEGIN { exit !(l <= m) }'; then
        pass "security $unit: exposure $level"
    else
        fail "security $unit: exposure $level > $EXPOSURE_MAX"
        printf '%s\n' "$out" | grep '✗' | indent
    fi
done

# --- seccomp: MemoryDenyWriteExecute and SystemCallFilter on the real binaries ------
stage "seccomp (the unit's MemoryDenyWriteExecute + SystemCallFilter, via Deploy/seccomp-run)"
SECCOMP_RUN=("$DEPLOY_DIR/seccomp-run" --mdwe --syscall-filter --)
if ! /usr/bin/python3 -c 'import seccomp' >/dev/null 2>&1; then
    skip "seccomp: python3-seccomp not available"
elif out=$("${SECCOMP_RUN[@]}" /usr/bin/python3 -c 'import mmap; mmap.mmap(-1, 4096, prot=7)' 2>&1); then
    fail "seccomp canary: a writable+executable mapping was allowed: seccomp-run is not enforcing"
else
    pass "seccomp canary: writable+executable mapping refused"
    if [ -n "$REAL_BIN" ]; then
        for bin in ledgerd ledgerctl; do
            expected=$(timeout 20 "$REAL_BIN/$bin" --help 2>&1); erc=$?
            got=$(timeout 20 "${SECCOMP_RUN[@]}" "$REAL_BIN/$bin" --help 2>&1); grc=$?
            if [ "$erc" = "$grc" ] && [ "$expected" = "$got" ]; then
                pass "seccomp: $bin --help runs the same under the filters (exit $grc)"
            else
                fail "seccomp: $bin --help differs under the filters (exit $erc vs $grc)"; printf '%s\n' "$got" | tail -5 | indent
            fi
        done
    else
        skip "seccomp: no built ledgerd/ledgerctl (swift build first)"
    fi
fi

# --- install.sh into a temp root ------------------------------------------------------
stage "install.sh --root (twice, then --uninstall, then --uninstall --purge)"
ROOT=$TMP/root
check_install() {
    local what=$1 ok=1 path
    for path in /usr/bin/ledgerd /usr/bin/ledgerctl /usr/lib/ledger/ledger-backup \
        /etc/systemd/system/ledgerd.service /etc/systemd/system/ledgerd.socket \
        /etc/systemd/system/ledger-backup.service /etc/systemd/system/ledger-backup.timer \
        /etc/sysusers.d/ledger.conf /etc/tmpfiles.d/ledger.conf /etc/ledger/ledgerd.conf \
        /etc/systemd/system/sockets.target.wants/ledgerd.socket \
        /etc/systemd/system/multi-user.target.wants/ledgerd.service \
        /etc/systemd/system/timers.target.wants/ledger-backup.timer; do
        [ -e "$ROOT$path" ] || [ -L "$ROOT$path" ] || { fail "$what: $path missing"; ok=0; }
    done
    [ "$(stat -c %a "$ROOT/var/lib/ledger" 2>/dev/null)" = 700 ] || { fail "$what: /var/lib/ledger not 0700"; ok=0; }
    [ "$(stat -c %a "$ROOT/run/ledger" 2>/dev/null)" = 750 ] || { fail "$what: /run/ledger not 0750"; ok=0; }
    grep -q '^ledger:' "$ROOT/etc/passwd" 2>/dev/null || { fail "$what: user ledger missing"; ok=0; }
    for group in ledger-readers ledger-recorders ledger-auditors; do
        grep -q "^$group:" "$ROOT/etc/group" 2>/dev/null || { fail "$what: group $group missing"; ok=0; }
    done
    [ "$(stat -c %U "$ROOT/var/lib/ledger")" = "$(awk -F: '$1 == "ledger" { print $3 }' "$ROOT/etc/passwd")" ] \
        || [ "$(stat -c %u "$ROOT/var/lib/ledger")" = "$(awk -F: '$1 == "ledger" { print $3 }' "$ROOT/etc/passwd")" ] \
        || { fail "$what: /var/lib/ledger not owned by ledger"; ok=0; }
    [ $ok = 0 ] || pass "$what: files, units, enablement links, users, directories"
}
if out=$("$DEPLOY_DIR/install.sh" --root "$ROOT" --bin-dir "$BIN" 2>&1); then
    check_install "install.sh (first run)"
else
    fail "install.sh (first run)"; printf '%s\n' "$out" | indent
fi
echo "# local change" >> "$ROOT/etc/ledger/ledgerd.conf"
mkdir -p "$ROOT/var/lib/ledger/lmdb" && echo data > "$ROOT/var/lib/ledger/lmdb/data.mdb"
if out=$("$DEPLOY_DIR/install.sh" --root "$ROOT" --bin-dir "$BIN" 2>&1); then
    check_install "install.sh (second run, idempotent)"
    grep -q '^# local change' "$ROOT/etc/ledger/ledgerd.conf" && pass "install.sh kept a changed config" \
        || fail "install.sh overwrote a changed config"
    [ "$(grep -c '^ledger:' "$ROOT/etc/passwd")" = 1 ] && pass "install.sh: one ledger user after two runs" \
        || fail "install.sh: duplicate ledger user"
else
    fail "install.sh (second run)"; printf '%s\n' "$out" | indent
fi
if out=$("$DEPLOY_DIR/install.sh" --root "$ROOT" --uninstall 2>&1); then
    left=$(cd "$ROOT" && find usr etc/systemd etc/sysusers.d etc/tmpfiles.d -not -type d 2>/dev/null)
    if [ -z "$left" ] && [ -f "$ROOT/var/lib/ledger/lmdb/data.mdb" ] && [ -f "$ROOT/etc/ledger/ledgerd.conf" ] \
        && grep -q '^ledger:' "$ROOT/etc/passwd"; then
        pass "install.sh --uninstall: binaries and units gone; data, config, users kept"
    else
        fail "install.sh --uninstall"; printf 'left: %s\n' "$left" | indent
    fi
else
    fail "install.sh --uninstall"; printf '%s\n' "$out" | indent
fi
if out=$("$DEPLOY_DIR/install.sh" --root "$ROOT" --uninstall --purge 2>&1) \
    && [ ! -e "$ROOT/var/lib/ledger" ] && [ ! -e "$ROOT/etc/ledger" ] && ! grep -q '^ledger' "$ROOT/etc/passwd" "$ROOT/etc/group"; then
    pass "install.sh --uninstall --purge: data, config, user and groups gone"
else
    fail "install.sh --uninstall --purge"; printf '%s\n' "$out" | indent
fi

# --- the .deb ---------------------------------------------------------------------------
stage "Debian package"
DEB_OPTS=(--fast --out "$TMP/deb" --version 0.0.0~check)
if [ -n "$REAL_BIN" ] && [[ $(objdump -p "$REAL_BIN/ledgerd" 2>/dev/null) == *libswiftCore* ]]; then
    DEB_OPTS+=(--allow-swift-runtime)
    note "the built binaries use the shared Swift runtime (a debug build): packaged for the check only"
fi
# lintian errors that a debug build (shared Swift runtime) causes by itself.
LINTIAN_DEBUG_ONLY=(-e '^$')
[[ " ${DEB_OPTS[*]} " != *" --allow-swift-runtime "* ]] || LINTIAN_DEBUG_ONLY=(-e 'custom-library-search-path')
DEB=
if out=$("$DEPLOY_DIR/build-deb.sh" --bin-dir "$BIN" "${DEB_OPTS[@]}" 2>&1); then
    DEB=$(ls "$TMP"/deb/ledger_*.deb 2>/dev/null | head -1)
    pass "build-deb.sh: $(basename "$DEB") ($(printf '%s\n' "$out" | sed -n 's/.*(Depends: \(.*\))$/Depends: \1/p'))"
else
    fail "build-deb.sh"; printf '%s\n' "$out" | indent
fi
if [ -n "$DEB" ]; then
    dpkg-deb --info "$DEB" > "$TMP/deb.info" 2>&1 || fail "dpkg-deb --info"
    dpkg-deb --contents "$DEB" > "$TMP/deb.contents" 2>&1 || fail "dpkg-deb --contents"
    missing=
    for path in ./usr/bin/ledgerd ./usr/bin/ledgerctl ./usr/lib/ledger/ledger-backup \
        ./usr/lib/systemd/system/ledgerd.service ./usr/lib/systemd/system/ledgerd.socket \
        ./usr/lib/systemd/system/ledger-backup.service ./usr/lib/systemd/system/ledger-backup.timer \
        ./usr/lib/sysusers.d/ledger.conf ./usr/lib/tmpfiles.d/ledger.conf ./etc/ledger/ledgerd.conf \
        ./usr/share/doc/ledger/copyright; do
        grep -q " $path\$" "$TMP/deb.contents" || missing="$missing $path"
    done
    [ -z "$missing" ] && pass "dpkg-deb --contents: expected paths present, root:root" || fail "dpkg-deb --contents: missing$missing"
    grep -v ' root/root ' "$TMP/deb.contents" | grep -q . && fail "dpkg-deb --contents: files not owned by root/root"
    mkdir -p "$TMP/ctrl" && dpkg-deb --control "$DEB" "$TMP/ctrl"
    [ "$(cat "$TMP/ctrl/conffiles" 2>/dev/null)" = /etc/ledger/ledgerd.conf ] && pass "conffiles: /etc/ledger/ledgerd.conf" \
        || fail "conffiles: want exactly /etc/ledger/ledgerd.conf"
    ok=1
    for script in postinst prerm postrm; do sh -n "$TMP/ctrl/$script" || ok=0; done
    [ $ok = 1 ] && pass "maintainer scripts in the .deb pass sh -n" || fail "maintainer scripts in the .deb: sh -n"
    grep -q '^Depends: .*libc6' "$TMP/ctrl/control" && pass "control: $(grep '^Depends:' "$TMP/ctrl/control")" \
        || fail "control: no Depends on libc6"
    if command -v lintian >/dev/null 2>&1; then
        timeout 120 lintian --no-tag-display-limit "$DEB" > "$TMP/lintian.out" 2>&1
        errors=$(grep -c '^E: ' "$TMP/lintian.out"); warnings=$(grep -c '^W: ' "$TMP/lintian.out")
        # Errors that come only from stand-in or debug binaries do not count.
        real_errors=$(grep '^E: ' "$TMP/lintian.out" | grep -v -e 'statically-linked-binary' -e 'unstripped-binary' \
            -e 'embedded-library' -e 'shared-library-lacks-prerequisites' -e 'missing-dependency-on-libc' \
            "${LINTIAN_DEBUG_ONLY[@]}" || true)
        note "lintian: $errors error(s), $warnings warning(s)"; grep -E '^(E|W): ' "$TMP/lintian.out" | head -20 | indent
        [ -z "$real_errors" ] && pass "lintian: no errors that matter" || fail "lintian errors"
    else
        skip "lintian not installed (LEDGER_CHECK_LINTIAN=1 installs it)"
    fi
fi

# --- the .deb in a throwaway root: install, remove, purge; run the daemon ----------------------
stage "dpkg -i / -r / -P in a throwaway overlay root"
if [ -z "$DEB" ]; then
    skip "no .deb built"
elif [ $OVERLAY = 0 ]; then
    skip "no overlay root (needs CAP_SYS_ADMIN): dpkg -i not tried"
else
    cat > "$TMP/dpkg.sh" <<'EOF'
#!/bin/bash
# Inside the throwaway root. Prints "ok: ..." / "bad: ..." lines.
set -u
deb=$1 daemon_ready=$2 deploy=$3
ok() { echo "ok: $*"; }
bad() { echo "bad: $*"; }
rm -rf /var/lib/ledger /etc/ledger /var/backups/ledger
if dpkg -i "$deb" >/tmp/dpkg-i.log 2>&1; then ok "dpkg -i"; else bad "dpkg -i: $(tail -3 /tmp/dpkg-i.log)"; fi
getent passwd ledger >/dev/null && ok "user ledger created" || bad "user ledger missing"
for g in ledger-readers ledger-recorders ledger-auditors; do getent group $g >/dev/null || bad "group $g missing"; done
[ "$(stat -c '%a %U %G' /var/lib/ledger)" = "700 ledger ledger" ] && ok "/var/lib/ledger 0700 ledger:ledger" || bad "/var/lib/ledger: $(stat -c '%a %U %G' /var/lib/ledger)"
[ "$(stat -c '%a %U %G' /run/ledger)" = "750 ledger ledger" ] && ok "/run/ledger 0750 ledger:ledger" || bad "/run/ledger: $(stat -c '%a %U %G' /run/ledger)"
[ "$(stat -c '%a %U %G' /var/backups/ledger)" = "700 ledger ledger" ] && ok "/var/backups/ledger 0700 ledger:ledger" || bad "/var/backups/ledger: $(stat -c '%a %U %G' /var/backups/ledger)"
if [ "$daemon_ready" = 1 ]; then
    # The unit's ExecStart, as the unit's user, with the unit's UMask and seccomp filters.
    useradd --system -G ledger,ledger-readers check-reader
    useradd --system check-outsider
    useradd --system -G ledger check-nobody
    cat > /etc/ledger/ledgerd.conf <<CONF
origin = ledger.check/ci
[roles]
reader = group:ledger-readers
CONF
    exec_start=$(sed -n 's/^ExecStart=//p' /usr/lib/systemd/system/ledgerd.service)
    # The checkout may sit in a directory the ledger user cannot enter (a 0700
    # home or temp dir): run the filter wrapper from a copy in the throwaway root.
    install -D -m 0755 "$deploy/seccomp-run" /usr/local/lib/ledger-check/seccomp-run
    ( umask 0077; exec runuser -u ledger -- /usr/local/lib/ledger-check/seccomp-run --mdwe --syscall-filter -- $exec_start ) >/tmp/ledgerd.log 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do [ -S /run/ledger/ledger.sock ] && break; sleep 0.1; done
    if [ -S /run/ledger/ledger.sock ]; then
        ok "ledgerd (ExecStart as ledger, under the filters) created its socket"
        [ "$(stat -c '%a %G' /run/ledger/ledger.sock)" = "660 ledger" ] && ok "socket 0660 group ledger" || bad "socket: $(stat -c '%a %G' /run/ledger/ledger.sock)"
        [ "$(stat -c '%a' /var/lib/ledger)" = 700 ] && ok "data dir still 0700" || bad "data dir $(stat -c '%a' /var/lib/ledger)"
        key=$(find /var/lib/ledger -name checkpoint.key -printf '%m' 2>/dev/null)
        [ -z "$key" ] || { [ "$key" = 600 ] && ok "checkpoint.key 0600" || bad "checkpoint.key mode $key"; }
        runuser -u check-reader -- ledgerctl status --json >/tmp/reader.out 2>&1 && ok "a reader can query (status --json)" || bad "reader refused: $(tail -2 /tmp/reader.out)"
        if runuser -u check-nobody -- ledgerctl status --json >/tmp/nobody.out 2>&1; then bad "a socket-group member without a role was served"; else ok "a member of ledger without a role is refused (exit $?)"; fi
        if runuser -u check-outsider -- ledgerctl status --json >/tmp/out.out 2>&1; then bad "a non-member was served"; else ok "a non-member is refused (exit $?)"; fi
    else
        bad "ledgerd did not create /run/ledger/ledger.sock in 10 s: $(tail -5 /tmp/ledgerd.log)"
    fi
    kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null
    [ ! -e /run/ledger/ledger.sock ] && ok "socket removed on SIGTERM" || bad "socket left after SIGTERM"
    cp "$deploy/ledgerd.conf" /etc/ledger/ledgerd.conf
else
    echo "skip: run ledgerd as ledger (the daemon is not implemented yet)"
fi
if dpkg -r ledger >/tmp/dpkg-r.log 2>&1; then ok "dpkg -r"; else bad "dpkg -r: $(tail -3 /tmp/dpkg-r.log)"; fi
[ -d /var/lib/ledger ] && [ -f /etc/ledger/ledgerd.conf ] && getent passwd ledger >/dev/null && [ ! -e /usr/bin/ledgerd ] \
    && ok "after remove: binaries gone; data, conffile and user kept" || bad "after remove: wrong state"
if dpkg -P ledger >/tmp/dpkg-p.log 2>&1; then ok "dpkg -P"; else bad "dpkg -P: $(tail -3 /tmp/dpkg-p.log)"; fi
[ ! -e /var/lib/ledger ] && [ ! -e /etc/ledger ] && ! getent passwd ledger >/dev/null && ! getent group ledger-readers >/dev/null \
    && ok "after purge: data, config, user and groups gone" || bad "after purge: something left"
EOF
    chmod 0755 "$TMP/dpkg.sh"
    overlay_run "$TMP/dpkg.sh" "$DEB" "$DAEMON_READY" "$DEPLOY_DIR" > "$TMP/dpkg.out" 2>&1
    while IFS= read -r line; do
        case $line in
            ok:*) pass "deb: ${line#ok: }" ;;
            bad:*) fail "deb: ${line#bad: }" ;;
            skip:*) skip "deb: ${line#skip: }" ;;
        esac
    done < "$TMP/dpkg.out"
    grep -q '^ok: dpkg -P' "$TMP/dpkg.out" || { fail "deb: the throwaway-root run did not finish"; tail -10 "$TMP/dpkg.out" | indent; }
fi

# --- summary ----------------------------------------------------------------------------
ELAPSED=$(( $(date +%s) - START ))
printf '\n== summary (%d s)\n' "$ELAPSED"
npass=0; nfail=0; nskip=0
for r in "${RESULTS[@]}"; do
    case $r in PASS*) npass=$((npass + 1)) ;; FAIL*) nfail=$((nfail + 1)); printf '  %s\n' "$r" ;; SKIP*) nskip=$((nskip + 1)); printf '  %s\n' "$r" ;; esac
done
if [ $FAILED = 0 ]; then
    printf 'check-units.sh: PASS (%d passed, %d skipped, %d s)\n' "$npass" "$nskip" "$ELAPSED"
    exit 0
fi
printf 'check-units.sh: FAIL (%d failed, %d passed, %d skipped, %d s)\n' "$nfail" "$npass" "$nskip" "$ELAPSED"
exit 1
