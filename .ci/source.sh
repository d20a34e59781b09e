# Sourced by the CI stages that build out of tree (.ci/matrix.sh,
# .ci/sanitizers.sh, .ci/fuzz.sh).  Sets $src to a source tree they can
# configure from a build directory of their own:
#  - a clean clone has no configure yet: generate it (autoreconf -fi);
#  - after .ci/run's in-tree build the top directory is configured, and
#    configure refuses an out-of-tree build from a configured source tree:
#    use a copy of it with the in-tree build removed (make distclean).
# Call cleanup_source when done (removes the copy, if one was made).
src=$top
src_copy=
if [ ! -x "$top/configure" ]; then
    (cd "$top" && autoreconf -fi >/dev/null 2>&1) || { echo "autoreconf failed" >&2; exit 1; }
fi
if [ -f "$top/config.status" ]; then
    src_copy=$(mktemp -d /tmp/secmem-src.XXXXXX)
    cp -a "$top/." "$src_copy/"
    (cd "$src_copy" && make distclean >/dev/null 2>&1) \
        || { echo "make distclean in the copy of the source failed" >&2; exit 1; }
    src=$src_copy
fi
cleanup_source() { [ -z "$src_copy" ] || rm -rf "$src_copy"; }
