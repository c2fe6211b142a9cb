#!/usr/bin/env bash
# Deploy/build-deb.sh: build ledger_<version>_<arch>.deb (ledgerd, ledgerctl,
# systemd units, sysusers/tmpfiles snippets, default config, backup helper).
# Run `Deploy/build-deb.sh --help` for the options.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: Deploy/build-deb.sh [OPTIONS]

Builds ledger_<version>_<arch>.deb with dpkg-deb --build --root-owner-group.

Options:
  --bin-dir DIR     take ledgerd and ledgerctl from DIR instead of building
                    (default: swift build -c release --static-swift-stdlib,
                    so the package does not need the Swift runtime)
  --version V       package version (default: 0.1.0~git<date>.<commit>)
  --out DIR         where the .deb goes (default: the current directory)
  --fast            gzip -1 instead of xz (seconds instead of minutes; CI)
  --allow-swift-runtime
                    accept binaries linked to the Swift runtime's shared
                    libraries (tests with a debug build only: such a package
                    does not run on a machine without that toolchain)
  -h, --help        this help
Environment: LEDGER_DEB_MAINTAINER="Name <mail>" for the Maintainer field.
EOF
}

say() { printf 'build-deb.sh: %s\n' "$*"; }
die() { printf 'build-deb.sh: error: %s\n' "$*" >&2; exit 1; }

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$DEPLOY_DIR")
BIN_DIR=
VERSION=
OUT_DIR=$PWD
ALLOW_SWIFT_RUNTIME=0
MAINTAINER=${LEDGER_DEB_MAINTAINER:-Ledger maintainers <ledger-maintainers@example.org>}
COMPRESS=(-Zxz)
while [ $# -gt 0 ]; do
    case $1 in
        --bin-dir) [ $# -ge 2 ] || die "--bin-dir needs a directory"; BIN_DIR=$2; shift 2 ;;
        --bin-dir=*) BIN_DIR=${1#*=}; shift ;;
        --version) [ $# -ge 2 ] || die "--version needs a value"; VERSION=$2; shift 2 ;;
        --version=*) VERSION=${1#*=}; shift ;;
        --out) [ $# -ge 2 ] || die "--out needs a directory"; OUT_DIR=$2; shift 2 ;;
        --out=*) OUT_DIR=${1#*=}; shift ;;
        --allow-swift-runtime) ALLOW_SWIFT_RUNTIME=1; shift ;;
        --fast) COMPRESS=(-Zgzip -z1); shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option '$1'" ;;
    esac
done
for tool in dpkg-deb dpkg objdump; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install dpkg-dev binutils)"
done

if [ -z "$VERSION" ]; then
    if commit=$(git -C "$REPO_DIR" rev-parse --short=8 HEAD 2>/dev/null); then
        VERSION=0.1.0~git$(date -u +%Y%m%d).$commit
    else
        VERSION=0.1.0
    fi
fi
case $VERSION in
    [0-9]*) ;;
    *) die "a Debian version starts with a digit, got '$VERSION'" ;;
esac
ARCH=$(dpkg --print-architecture)

if [ -z "$BIN_DIR" ]; then
    command -v swift >/dev/null 2>&1 || die "swift not found: install Swift or pass --bin-dir DIR"
    say "building release binaries (swift build -c release --static-swift-stdlib)"
    (cd "$REPO_DIR" && swift build -c release --static-swift-stdlib --product ledgerd \
        && swift build -c release --static-swift-stdlib --product ledgerctl) || die "swift build failed"
    BIN_DIR=$(cd "$REPO_DIR" && swift build -c release --static-swift-stdlib --show-bin-path)
fi
for bin in ledgerd ledgerctl; do
    [ -x "$BIN_DIR/$bin" ] || die "$BIN_DIR/$bin is missing or not executable"
done
mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ledger-deb.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
PKG=$WORK/ledger_${VERSION}_$ARCH
mkdir -p "$PKG/DEBIAN"

# --- files -------------------------------------------------------------------
install -D -m 0755 "$BIN_DIR/ledgerd" "$PKG/usr/bin/ledgerd"
install -D -m 0755 "$BIN_DIR/ledgerctl" "$PKG/usr/bin/ledgerctl"
if command -v strip >/dev/null 2>&1 && [ "$(head -c 4 "$PKG/usr/bin/ledgerd")" = "$(printf '\177ELF')" ]; then
    strip --strip-unneeded --remove-section=.comment --remove-section=.note "$PKG/usr/bin/ledgerd" "$PKG/usr/bin/ledgerctl"
fi
install -D -m 0755 "$DEPLOY_DIR/ledger-backup" "$PKG/usr/lib/ledger/ledger-backup"
for unit in ledgerd.service ledgerd.socket ledger-backup.service ledger-backup.timer; do
    install -D -m 0644 "$DEPLOY_DIR/$unit" "$PKG/usr/lib/systemd/system/$unit"
done
install -D -m 0644 "$DEPLOY_DIR/sysusers.d/ledger.conf" "$PKG/usr/lib/sysusers.d/ledger.conf"
install -D -m 0644 "$DEPLOY_DIR/tmpfiles.d/ledger.conf" "$PKG/usr/lib/tmpfiles.d/ledger.conf"
install -D -m 0644 "$DEPLOY_DIR/ledgerd.conf" "$PKG/etc/ledger/ledgerd.conf"
DOC=$PKG/usr/share/doc/ledger
install -d -m 0755 "$DOC"
if [ -f "$REPO_DIR/docs/OPERATIONS.md" ]; then
    install -m 0644 "$REPO_DIR/docs/OPERATIONS.md" "$DOC/OPERATIONS.md"
fi
cat > "$DOC/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: ledger
Comment: The ledger project's event-sourced, tamper-evident audit ledger.
 Statically linked: the Swift standard library, Foundation, swift-nio,
 swift-crypto (BoringSSL), swift-argument-parser and swift-log, all under
 the Apache License 2.0 (BoringSSL also under the OpenSSL/ISC licenses).

Files: *
Copyright: 2026 the ledger project authors
License: Apache-2.0
 On Debian systems the full text of the Apache License 2.0 is in
 /usr/share/common-licenses/Apache-2.0.
EOF
chmod 0644 "$DOC/copyright"
# A version without a Debian revision is a native package: changelog.gz.
case $VERSION in *-*) CHANGELOG=changelog.Debian.gz ;; *) CHANGELOG=changelog.gz ;; esac
printf 'ledger (%s) unstable; urgency=medium\n\n  * Package built by Deploy/build-deb.sh.\n\n -- %s  %s\n' \
    "$VERSION" "$MAINTAINER" "$(date -u -R)" | gzip -9n > "$DOC/$CHANGELOG"
chmod 0644 "$DOC/$CHANGELOG"

# --- dependencies --------------------------------------------------------------
# The shared libraries the binaries need, mapped to the packages owning them.
# With --static-swift-stdlib that is libc6, libstdc++6, libgcc-s1, liblmdb0.
NEEDED=$(for bin in ledgerd ledgerctl; do
    { objdump -p "$PKG/usr/bin/$bin" 2>/dev/null || true; } | awk '$1 == "NEEDED" { print $2 }'
done | sort -u)
DEPENDS=
SWIFT_LIBS=
for lib in $NEEDED; do
    # (awk reads all its input: an early exit would SIGPIPE under pipefail.)
    path=$(ldconfig -p | awk -v l="$lib" '$1 == l && !found { print $NF; found = 1 }')
    package=
    if [ -n "$path" ]; then
        package=$( { dpkg -S "$(readlink -f "$path")" 2>/dev/null || dpkg -S "$path" 2>/dev/null || true; } \
            | sed -n '1s/:.*//p')
    fi
    if [ -z "$package" ]; then
        case $lib in
            libswift*|libFoundation*|libdispatch*|libBlocksRuntime*|lib_FoundationICU*|libXCTest*)
                SWIFT_LIBS="$SWIFT_LIBS $lib" ;;
            *) die "no Debian package provides $lib (needed by the binaries)" ;;
        esac
        continue
    fi
    case " $DEPENDS " in *" $package "*) ;; *) DEPENDS="$DEPENDS $package" ;; esac
done
if [ -n "$SWIFT_LIBS" ]; then
    if [ "$ALLOW_SWIFT_RUNTIME" = 1 ]; then
        say "warning: the binaries need the Swift runtime ($SWIFT_LIBS ); this package only runs where that toolchain is installed"
    else
        die "the binaries need the Swift runtime ($SWIFT_LIBS ): build with swift build -c release --static-swift-stdlib"
    fi
fi
# Versions from the shlibs/symbols files when dpkg-shlibdeps is available.
DEPENDS_LINE=
if command -v dpkg-shlibdeps >/dev/null 2>&1 && [ -z "$SWIFT_LIBS" ]; then
    mkdir -p "$WORK/src/debian"
    printf 'Source: ledger\n\nPackage: ledger\nArchitecture: any\n' > "$WORK/src/debian/control"
    if out=$(cd "$WORK/src" && dpkg-shlibdeps -O "$PKG/usr/bin/ledgerd" "$PKG/usr/bin/ledgerctl" 2>/dev/null); then
        DEPENDS_LINE=$(printf '%s\n' "$out" | sed -n 's/^shlibs:Depends=//p')
    fi
fi
if [ -z "$DEPENDS_LINE" ]; then
    # shellcheck disable=SC2086 # a list of packages
    DEPENDS_LINE=$(printf '%s\n' $DEPENDS | sort | paste -sd, - | sed 's/,/, /g')
fi
[ -n "$DEPENDS_LINE" ] || DEPENDS_LINE=libc6

INSTALLED_SIZE=$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)
cat > "$PKG/DEBIAN/control" <<EOF
Package: ledger
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $INSTALLED_SIZE
Depends: $DEPENDS_LINE
Recommends: systemd
Suggests: lmdb-utils, socat
Section: admin
Priority: optional
Homepage: https://ledger.local/
Description: event-sourced, tamper-evident audit ledger daemon
 ledgerd keeps an append-only event log in LMDB, hashed into an RFC 9162
 Merkle tree with Ed25519-signed checkpoints, and serves it on a Unix socket
 to the users and groups its config maps to roles (reader, recorder,
 auditor, admin). ledgerctl is its command-line client and offline verifier.
 .
 The package installs a hardened systemd service with socket activation and
 a nightly verified backup timer.
EOF
printf '/etc/ledger/ledgerd.conf\n' > "$PKG/DEBIAN/conffiles"
for script in postinst prerm postrm; do
    install -m 0755 "$DEPLOY_DIR/debian/$script" "$PKG/DEBIAN/$script"
    sh -n "$PKG/DEBIAN/$script" || die "$script does not pass sh -n"
done
(cd "$PKG" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z \
    | xargs -0 md5sum > DEBIAN/md5sums)
chmod 0644 "$PKG/DEBIAN/control" "$PKG/DEBIAN/conffiles" "$PKG/DEBIAN/md5sums"
find "$PKG" -type d -exec chmod 0755 {} +

DEB=$OUT_DIR/ledger_${VERSION}_$ARCH.deb
dpkg-deb --build --root-owner-group "${COMPRESS[@]}" "$PKG" "$DEB" >/dev/null
say "built $DEB (Depends: $DEPENDS_LINE)"
