#!/usr/bin/env bash
# Packaging stage of CI: Debian packages (build, lintian, install, test the
# installed packages, remove), make install/uninstall with DESTDIR, and RPMs
# (rpmbuild from the `make dist` tarball, rpmlint).
#
# Run as root from the top of a source tree that is a git clone; `apt-get
# update` must have run (.ci/run does it).  Works in a temporary copy of the
# files git knows about, so an already built tree does not leak into the
# packages; the copy is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
export DEBIAN_FRONTEND=noninteractive
jobs=$(nproc)
start=$(date +%s)

stage() { printf '\n==== packaging: %s (%s, +%ss) ====\n' "$*" "$(date -u +%H:%M:%S)" "$(( $(date +%s) - start ))"; }
die() { echo "packaging.sh: FAIL: $*" >&2; exit 1; }
# run LOG CMD...: output to LOG, shown (its end) only when CMD fails.
run() {
    local log=$1; shift
    if ! "$@" >"$log" 2>&1; then
        tail -n 200 "$log"
        die "$* (full log: $(basename "$log"), kept on failure; see the end)"
    fi
}

work=$(mktemp -d /tmp/secmem-packaging.XXXXXX)
debs_installed=no
cleanup() {
    local rc=$?
    if [ "$debs_installed" = yes ]; then
        dpkg --purge securememory-tools libsecurememory-dev libsecurememory0 >/dev/null 2>&1 || true
    fi
    if [ "$rc" -ne 0 ]; then
        local logs
        logs=$(mktemp -d /tmp/secmem-packaging-logs.XXXXXX)
        cp "$work"/*.log "$work"/*.out "$logs"/ 2>/dev/null || true
        echo "packaging.sh: failed (exit $rc); logs kept in $logs" >&2
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT

stage "install packaging tools"
apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends \
    build-essential dpkg-dev debhelper lintian rpm rpmlint git xz-utils python3 >/dev/null

stage "copy the git tree to $work/src"
git -C "$top" rev-parse --is-inside-work-tree >/dev/null || die "$top is not a git work tree"
mkdir "$work/src"
git -C "$top" ls-files -z --cached --others --exclude-standard |
    tar -C "$top" --null -T - -cf - | tar -C "$work/src" -xf -

stage "versions agree (configure.ac, debian/changelog, rpm spec)"
ac_version=$(sed -n 's/^AC_INIT(\[securememory\], \[\([^]]*\)\].*/\1/p' "$work/src/configure.ac")
deb_version=$(cd "$work/src" && dpkg-parsechangelog -S Version)
rpm_version=$(sed -n 's/^Version:[[:space:]]*//p' "$work/src/rpm/securememory.spec")
echo "configure.ac $ac_version, debian $deb_version, rpm $rpm_version"
[ -n "$ac_version" ] || die "no version in AC_INIT"
[ "${deb_version%-*}" = "$ac_version" ] || die "debian/changelog $deb_version is not $ac_version-N"
[ "$rpm_version" = "$ac_version" ] || die "rpm/securememory.spec Version $rpm_version is not $ac_version"

stage "install Build-Depends (debian/control)"
apt-get -o DPkg::Lock::Timeout=300 build-dep -y -q "$work/src" >/dev/null

# dpkg-buildpackage writes its artefacts into the parent directory of the
# tree; build from a copy so $work/src stays clean for the dist tarball.
stage "dpkg-buildpackage -us -uc -b (with the test suite)"
cp -a "$work/src" "$work/deb"
mkdir "$work/debs" && mv "$work/deb" "$work/debs/securememory"
# Check level 4: any difference between debian/libsecurememory0.symbols and
# what the library exports (a new, lost or unversioned symbol) fails the build.
(cd "$work/debs/securememory" && DPKG_GENSYMBOLS_CHECK_LEVEL=4 run "$work/dpkg-buildpackage.log" \
    dpkg-buildpackage -us -uc -b -J"$jobs")
grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' "$work/dpkg-buildpackage.log" || true
ls -l "$work/debs"/*.deb
changes=$(echo "$work/debs"/securememory_*.changes)
[ -f "$changes" ] || die "no .changes file"

stage "lintian -I --pedantic (fail on E: and W:)"
lintian_out="$work/lintian.out"
lintian -I --pedantic --fail-on error,warning "$changes" >"$lintian_out" 2>&1 || {
    cat "$lintian_out"; die "lintian found errors or warnings"; }
cat "$lintian_out"
# (--show-overrides would make --fail-on count the overridden tags too.)
echo "overridden (reasons in debian/*.lintian-overrides):"
grep -H -v -e '^#' -e '^$' "$work/src"/debian/*.lintian-overrides | sed 's|^.*/debian/|  debian/|'
! grep -E '^[EW]: ' "$lintian_out" >/dev/null || die "lintian printed E: or W: tags"

stage "dpkg -i the three packages"
debs_installed=yes
dpkg -i "$work/debs"/libsecurememory0_*.deb "$work/debs"/libsecurememory-dev_*.deb \
        "$work/debs"/securememory-tools_*.deb
for f in /usr/include/securememory.h /usr/bin/securememory-check; do
    echo "$f: $(dpkg -S "$f")"
done

stage "pkg-config --modversion securememory"
modversion=$(pkg-config --modversion securememory)
echo "$modversion"
[ "$modversion" = "$ac_version" ] || die "pkg-config says $modversion, configure.ac $ac_version"

stage "examples/ consumer against the installed packages (debian/tests/installed-consumer)"
(cd "$work/src" && debian/tests/installed-consumer)

stage "README's usage example, compiled with pkg-config alone against the packages"
mkdir "$work/readme"
awk '/^```c$/ { inside = 1; next } inside && /^```$/ { exit } inside' "$work/src/README.md" \
    >"$work/readme/example.c"
[ -s "$work/readme/example.c" ] || die "README.md has no \`\`\`c example"
(cd "$work/readme" && cc -Wall -Wextra -Werror example.c $(pkg-config --cflags --libs securememory) &&
    ./a.out && echo "README example: built and ran (exit 0)")

stage "securememory-check from securememory-tools (debian/tests/securememory-check)"
(cd "$work/src" && debian/tests/securememory-check)

stage "remove the packages again"
dpkg --purge securememory-tools libsecurememory-dev libsecurememory0
debs_installed=no
! pkg-config --exists securememory || die "securememory.pc is still found after purge"
for f in /usr/include/securememory.h /usr/bin/securememory-check; do
    [ ! -e "$f" ] || die "$f is still there after purge"
done
ls /usr/lib/*/libsecurememory* >/dev/null 2>&1 && die "libsecurememory is still installed"

stage "make dist"
(cd "$work/src" && run "$work/autoreconf.log" autoreconf -fi &&
    run "$work/configure.log" ./configure &&
    run "$work/dist.log" make dist)
tarball="$work/src/securememory-$ac_version.tar.xz"
[ -f "$tarball" ] || die "make dist did not make $tarball"
ls -l "$tarball"

stage "make install / uninstall with DESTDIR (from the tarball)"
mkdir "$work/inst" && tar -C "$work/inst" -xf "$tarball"
inst="$work/inst/securememory-$ac_version"
destdir="$work/destdir"
(cd "$inst" && run "$work/inst-configure.log" ./configure --prefix=/usr &&
    run "$work/inst-make.log" make -j"$jobs" &&
    run "$work/install.log" make install DESTDIR="$destdir")
(cd "$destdir" && find . ! -type d | sort)
soname=$(objdump -p "$destdir/usr/lib/libsecurememory.so" | sed -n 's/^ *SONAME *//p')
[ "$soname" = libsecurememory.so.0 ] || die "SONAME is '$soname'"
for f in usr/include/securememory.h usr/lib/pkgconfig/securememory.pc \
         usr/bin/securememory-check usr/share/man/man7/securememory.7 \
         usr/share/man/man1/securememory-check.1 usr/share/man/man3/secmem_malloc.3; do
    [ -e "$destdir/$f" ] || die "make install did not install /$f"
done
PKG_CONFIG_SYSROOT_DIR=$destdir PKG_CONFIG_LIBDIR=$destdir/usr/lib/pkgconfig \
    pkg-config --cflags --libs securememory
(cd "$inst" && run "$work/uninstall.log" make uninstall DESTDIR="$destdir")
left=$(cd "$destdir" && find . ! -type d)
[ -z "$left" ] || die "make uninstall left: $left"

stage "rpmbuild --nodeps -ba (from the make dist tarball, with %check)"
topdir="$work/rpmbuild"
mkdir -p "$topdir/SOURCES"
cp "$tarball" "$topdir/SOURCES/"
run "$work/rpmbuild.log" rpmbuild --nodeps -ba --define "_topdir $topdir" \
    "$work/src/rpm/securememory.spec"
grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' "$work/rpmbuild.log" || true
find "$topdir/RPMS" "$topdir/SRPMS" -name '*.rpm' -print | sort

stage "rpmlint (with rpm/securememory.rpmlintrc)"
# rpmlint exits non-zero on E: only; warnings fail this stage too.
rpmlint_out="$work/rpmlint.out"
rpmlint_rc=0
rpmlint -r "$work/src/rpm/securememory.rpmlintrc" "$work/src/rpm/securememory.spec" \
    "$topdir"/SRPMS/*.rpm "$topdir"/RPMS/*/*.rpm >"$rpmlint_out" 2>&1 || rpmlint_rc=$?
cat "$rpmlint_out"
[ "$rpmlint_rc" -eq 0 ] || die "rpmlint exited with $rpmlint_rc"
! grep -E ': [EW]: ' "$rpmlint_out" >/dev/null || die "rpmlint printed E: or W: findings"

stage "done in $(( $(date +%s) - start ))s"
