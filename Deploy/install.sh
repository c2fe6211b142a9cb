#!/usr/bin/env bash
# Deploy/install.sh: install ledgerd and ledgerctl as a hardened systemd
# service on Debian/Ubuntu, from source or from prebuilt binaries.
# Run `Deploy/install.sh --help` for the options. Idempotent: running it again
# upgrades the binaries and units and keeps the config, data and users.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: Deploy/install.sh [OPTIONS]

Installs ledgerd and ledgerctl to /usr/bin, the systemd units, the sysusers
and tmpfiles snippets, the nightly backup helper (/usr/lib/ledger/ledger-backup)
and, only if absent, the default config /etc/ledger/ledgerd.conf; creates
the user/group "ledger" and the role groups; creates /var/lib/ledger (0700),
/run/ledger (0750) and /var/backups/ledger (0700); enables and starts
ledgerd.socket, ledgerd.service and ledger-backup.timer when systemd is PID 1.

Options:
  --bin-dir DIR   take ledgerd and ledgerctl from DIR instead of building
                  (default: swift build -c release --static-swift-stdlib)
  --root DIR      install into the staging root DIR instead of / (tests,
                  images): users go to DIR/etc/passwd, units are enabled
                  offline (systemctl --root) and nothing is started
  --prefix P      where units, sysusers.d and tmpfiles.d go: /etc (default:
                  /etc/systemd/system, /etc/sysusers.d, /etc/tmpfiles.d) or
                  /usr (/usr/lib/systemd/system, /usr/lib/sysusers.d, ...)
  --no-enable     install but do not enable or start the units
  --uninstall     stop and remove binaries, units, helper and snippets; keep
                  /var/lib/ledger, /etc/ledger, backups and users
  --purge         with --uninstall: also remove /var/lib/ledger (the ledger
                  and its signing key!), /etc/ledger, /run/ledger and the
                  user and groups; /var/backups/ledger is always kept
  -h, --help      this help

Examples:
  sudo Deploy/install.sh                          # build and install
  sudo Deploy/install.sh --bin-dir .build/release # prebuilt binaries
  Deploy/install.sh --root /tmp/stage --bin-dir .build/release
  sudo Deploy/install.sh --uninstall [--purge]
EOF
}

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$DEPLOY_DIR")

BIN_DIR=
ROOT=
PREFIX=/etc
ENABLE=1
UNINSTALL=0
PURGE=0
while [ $# -gt 0 ]; do
    case $1 in
        --bin-dir) [ $# -ge 2 ] || die "--bin-dir needs a directory"; BIN_DIR=$2; shift 2 ;;
        --bin-dir=*) BIN_DIR=${1#*=}; shift ;;
        --root) [ $# -ge 2 ] || die "--root needs a directory"; ROOT=$2; shift 2 ;;
        --root=*) ROOT=${1#*=}; shift ;;
        --prefix) [ $# -ge 2 ] || die "--prefix needs /etc or /usr"; PREFIX=$2; shift 2 ;;
        --prefix=*) PREFIX=${1#*=}; shift ;;
        --no-enable) ENABLE=0; shift ;;
        --uninstall) UNINSTALL=1; shift ;;
        --purge) PURGE=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option '$1'" ;;
    esac
done
[ "$PURGE" = 0 ] || [ "$UNINSTALL" = 1 ] || die "--purge goes with --uninstall"

case $PREFIX in
    /etc|/etc/) UNIT_DIR=/etc/systemd/system; SNIPPET_DIR=/etc ;;
    /usr|/usr/) UNIT_DIR=/usr/lib/systemd/system; SNIPPET_DIR=/usr/lib ;;
    *) die "--prefix must be /etc or /usr, got '$PREFIX'" ;;
esac

if [ -n "$ROOT" ]; then
    mkdir -p "$ROOT" || die "cannot create staging root $ROOT"
    ROOT=$(cd "$ROOT" && pwd)
    [ "$ROOT" != / ] || ROOT=
fi
if [ -z "$ROOT" ] && [ "$(id -u)" != 0 ]; then
    die "installing into / needs root (or use --root DIR)"
fi

# systemd is PID 1 (the test sd_booted() uses).
systemd_running() { [ -z "$ROOT" ] && [ -d /run/systemd/system ]; }

UNITS=(ledgerd.socket ledgerd.service ledger-backup.service ledger-backup.timer)
ENABLED_UNITS=(ledgerd.socket ledgerd.service ledger-backup.timer)
BINARIES=(ledgerd ledgerctl)

# Owner names resolved in the target's /etc (staging roots have their own).
lookup_id() { # lookup_id passwd|group NAME -> numeric id or nothing
    local db=$1 name=$2
    if [ -n "$ROOT" ]; then
        [ -f "$ROOT/etc/$db" ] && awk -F: -v n="$name" '$1 == n { print $3; exit }' "$ROOT/etc/$db"
    else
        getent "$db" "$name" | cut -d: -f3
    fi
}

# --- uninstall -------------------------------------------------------------
if [ "$UNINSTALL" = 1 ]; then
    if systemd_running; then
        say "stopping and disabling ${ENABLED_UNITS[*]}"
        systemctl disable --now "${ENABLED_UNITS[@]}" || true
        systemctl stop ledger-backup.service 2>/dev/null || true
    elif [ -n "$ROOT" ] && command -v systemctl >/dev/null 2>&1; then
        systemctl --root="$ROOT" disable "${ENABLED_UNITS[@]}" >/dev/null 2>&1 || true
    else
        say "systemd is not PID 1: nothing to stop; stop a running ledgerd by hand"
    fi
    for bin in "${BINARIES[@]}"; do rm -f "$ROOT/usr/bin/$bin"; done
    rm -rf "$ROOT/usr/lib/ledger"
    for dir in /etc/systemd/system /usr/lib/systemd/system; do
        for unit in "${UNITS[@]}"; do rm -f "$ROOT$dir/$unit"; done
    done
    for dir in /etc /usr/lib; do
        rm -f "$ROOT$dir/sysusers.d/ledger.conf" "$ROOT$dir/tmpfiles.d/ledger.conf"
    done
    rm -rf "$ROOT/usr/share/doc/ledger"
    if systemd_running; then systemctl daemon-reload; fi
    say "removed binaries, units, helper and snippets"
    if [ "$PURGE" = 1 ]; then
        rm -rf "$ROOT/var/lib/ledger" "$ROOT/etc/ledger" "$ROOT/run/ledger"
        for group in ledger-readers ledger-recorders ledger-auditors; do
            if [ -n "$(lookup_id group "$group")" ]; then
                groupdel ${ROOT:+--prefix "$ROOT"} "$group" || say "could not remove group $group"
            fi
        done
        if [ -n "$(lookup_id passwd ledger)" ]; then
            userdel ${ROOT:+--prefix "$ROOT"} ledger || say "could not remove user ledger"
        fi
        if [ -n "$(lookup_id group ledger)" ]; then
            groupdel ${ROOT:+--prefix "$ROOT"} ledger || say "could not remove group ledger"
        fi
        say "purged $ROOT/var/lib/ledger, $ROOT/etc/ledger and the ledger user and groups"
        [ ! -d "$ROOT/var/backups/ledger" ] || say "kept backups in $ROOT/var/backups/ledger (remove them yourself)"
    else
        say "kept $ROOT/var/lib/ledger (data and signing key), $ROOT/etc/ledger, backups and users (--purge removes them)"
    fi
    exit 0
fi

# --- binaries --------------------------------------------------------------
if [ -z "$BIN_DIR" ]; then
    command -v swift >/dev/null 2>&1 || die "swift not found: install Swift or pass --bin-dir DIR"
    say "building release binaries (swift build -c release --static-swift-stdlib)"
    (cd "$REPO_DIR" && swift build -c release --static-swift-stdlib --product ledgerd \
        && swift build -c release --static-swift-stdlib --product ledgerctl) || die "swift build failed"
    BIN_DIR=$(cd "$REPO_DIR" && swift build -c release --static-swift-stdlib --show-bin-path)
fi
for bin in "${BINARIES[@]}"; do
    [ -x "$BIN_DIR/$bin" ] || die "$BIN_DIR/$bin is missing or not executable"
done

BINARIES_CHANGED=0
for bin in "${BINARIES[@]}"; do
    if ! cmp -s "$BIN_DIR/$bin" "$ROOT/usr/bin/$bin"; then BINARIES_CHANGED=1; fi
    install -D -m 0755 "$BIN_DIR/$bin" "$ROOT/usr/bin/$bin"
done
install -D -m 0755 "$DEPLOY_DIR/ledger-backup" "$ROOT/usr/lib/ledger/ledger-backup"
say "installed ${BINARIES[*]} to $ROOT/usr/bin and ledger-backup to $ROOT/usr/lib/ledger"

# --- units and snippets ----------------------------------------------------
install -d -m 0755 "$ROOT$UNIT_DIR"
for unit in "${UNITS[@]}"; do
    install -m 0644 "$DEPLOY_DIR/$unit" "$ROOT$UNIT_DIR/$unit"
done
install -D -m 0644 "$DEPLOY_DIR/sysusers.d/ledger.conf" "$ROOT$SNIPPET_DIR/sysusers.d/ledger.conf"
install -D -m 0644 "$DEPLOY_DIR/tmpfiles.d/ledger.conf" "$ROOT$SNIPPET_DIR/tmpfiles.d/ledger.conf"
if [ -f "$REPO_DIR/docs/OPERATIONS.md" ]; then
    install -D -m 0644 "$REPO_DIR/docs/OPERATIONS.md" "$ROOT/usr/share/doc/ledger/OPERATIONS.md"
fi
say "installed units to $ROOT$UNIT_DIR, sysusers.d and tmpfiles.d snippets to $ROOT$SNIPPET_DIR"

# --- config (never overwritten) --------------------------------------------
install -d -m 0755 "$ROOT/etc/ledger"
if [ -e "$ROOT/etc/ledger/ledgerd.conf" ]; then
    if cmp -s "$DEPLOY_DIR/ledgerd.conf" "$ROOT/etc/ledger/ledgerd.conf"; then
        say "config $ROOT/etc/ledger/ledgerd.conf is the default; left as is"
    else
        say "kept your $ROOT/etc/ledger/ledgerd.conf (the packaged default is Deploy/ledgerd.conf)"
    fi
else
    install -m 0644 "$DEPLOY_DIR/ledgerd.conf" "$ROOT/etc/ledger/ledgerd.conf"
    say "installed the default config $ROOT/etc/ledger/ledgerd.conf"
fi

# --- users and groups --------------------------------------------------------
# LEDGER_SYSUSERS=none forces the groupadd/useradd fallback (tests).
SYSUSERS=${LEDGER_SYSUSERS:-systemd-sysusers}
if command -v "$SYSUSERS" >/dev/null 2>&1; then
    install -d -m 0755 "$ROOT/etc"
    "$SYSUSERS" ${ROOT:+--root="$ROOT"} "$ROOT$SNIPPET_DIR/sysusers.d/ledger.conf" \
        || die "systemd-sysusers failed"
else
    for group in ledger ledger-readers ledger-recorders ledger-auditors; do
        if [ -z "$(lookup_id group "$group")" ]; then
            groupadd --system ${ROOT:+--prefix "$ROOT"} "$group" || die "groupadd $group failed"
        fi
    done
    if [ -z "$(lookup_id passwd ledger)" ]; then
        useradd --system ${ROOT:+--prefix "$ROOT"} --gid ledger --no-create-home \
            --home-dir /var/lib/ledger --shell /usr/sbin/nologin \
            --comment "Ledger audit ledger daemon" ledger || die "useradd ledger failed"
    fi
fi
LEDGER_UID=$(lookup_id passwd ledger)
LEDGER_GID=$(lookup_id group ledger)
[ -n "$LEDGER_UID" ] && [ -n "$LEDGER_GID" ] || die "user/group ledger missing after creating them"
say "user ledger ($LEDGER_UID:$LEDGER_GID) and groups ledger-readers, ledger-recorders, ledger-auditors present"

# --- directories -------------------------------------------------------------
if [ -z "$ROOT" ] && command -v systemd-tmpfiles >/dev/null 2>&1; then
    systemd-tmpfiles --create "$SNIPPET_DIR/tmpfiles.d/ledger.conf" || die "systemd-tmpfiles failed"
else
    # The same as tmpfiles.d/ledger.conf (systemd-tmpfiles --root resolves
    # owners on the host, not in the staging root).
    make_dir() { # PATH MODE UID GID
        install -d -m "$2" "$ROOT$1"
        chmod "$2" "$ROOT$1"
        if [ "$(id -u)" = 0 ]; then chown "$3:$4" "$ROOT$1"; fi
    }
    make_dir /run/ledger 0750 "$LEDGER_UID" "$LEDGER_GID"
    make_dir /var/lib/ledger 0700 "$LEDGER_UID" "$LEDGER_GID"
    make_dir /var/backups/ledger 0700 "$LEDGER_UID" "$LEDGER_GID"
fi
say "directories /var/lib/ledger (0700), /run/ledger (0750), /var/backups/ledger (0700) present"

# --- enable and start --------------------------------------------------------
if [ "$ENABLE" = 0 ]; then
    say "--no-enable: units installed but not enabled"
elif systemd_running; then
    systemctl daemon-reload
    systemctl enable --now "${ENABLED_UNITS[@]}"
    if [ "$BINARIES_CHANGED" = 1 ]; then systemctl try-restart ledgerd.service; fi
    say "enabled and started ${ENABLED_UNITS[*]}; check: systemctl status ledgerd; ledgerctl status"
elif [ -n "$ROOT" ]; then
    if command -v systemctl >/dev/null 2>&1; then
        systemctl --root="$ROOT" enable "${ENABLED_UNITS[@]}" >/dev/null 2>&1 \
            || die "systemctl --root=$ROOT enable failed"
        say "enabled ${ENABLED_UNITS[*]} offline in $ROOT (they start when it boots)"
    else
        say "systemctl not found: units in $ROOT not enabled"
    fi
else
    say "systemd is not PID 1 here (PID 1 is $(cat /proc/1/comm 2>/dev/null || echo unknown)): units installed, not enabled or started"
    say "run by hand: runuser -u ledger -- /usr/bin/ledgerd --config /etc/ledger/ledgerd.conf"
fi
say "done"
