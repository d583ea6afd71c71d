#!/usr/bin/env bash
# Builds pjdfstest (github.com/pjd/pjdfstest, a POSIX file-system conformance suite) as a static
# binary, for the v9fs guest (a busybox initramfs: no shared libraries there). Its code is not kept
# in this repository: it is cloned and built in a cache folder.
#
# Output (default ${XDG_CACHE_HOME:-$HOME/.cache}/cheshire/pjdfstest, override with
# CHESHIRE_PJDFSTEST_DIR): pjdfstest (static x86-64 binary), tests/ (the suite's .t scripts,
# misc.sh, conf), commit (the source commit), src/ (the clone).
# Source: PJDFSTEST_GIT (a URL or a local git directory; default the GitHub repository), at
# PJDFSTEST_COMMIT (default: the commit the recorded results were made with).
# Needs: git, gcc, make, autoconf, automake, glibc's static libc (libc6-dev); installs autoconf and
# automake with apt-get when missing and run as root. Idempotent: does nothing when built at that commit.
set -euo pipefail

out="${CHESHIRE_PJDFSTEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cheshire/pjdfstest}"
git_source="${PJDFSTEST_GIT:-https://github.com/pjd/pjdfstest.git}"
commit="${PJDFSTEST_COMMIT:-85a8aea9e685999ef0540392fd80535f873d7ff7}"

log() { echo "build-pjdfstest: $*" >&2; }

if [ -x "$out/pjdfstest" ] && [ -f "$out/tests/misc.sh" ] && [ "$(cat "$out/commit" 2>/dev/null)" = "$commit" ]; then
  exit 0
fi

if ! command -v autoreconf >/dev/null || ! command -v automake >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    log "autoconf and automake are missing; install them (apt-get install autoconf automake)"
    exit 1
  fi
  log "installing autoconf automake"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends autoconf automake >/dev/null
fi

mkdir -p "$out"
if [ ! -d "$out/src/.git" ]; then
  rm -rf "$out/src"
  log "cloning $git_source"
  git clone -q "$git_source" "$out/src"
fi
cd "$out/src"
if ! git cat-file -e "$commit^{commit}" 2>/dev/null; then
  git fetch -q "$git_source"
fi
git checkout -q --force "$commit"
git clean -qfdx

log "building $(git log -1 --format='%h %cd' --date=short) (autoreconf, configure, make with -static)"
autoreconf -ifs >/dev/null 2>&1
./configure -q LDFLAGS=-static >/dev/null
make -s pjdfstest >/dev/null
file_type="$(file -b pjdfstest 2>/dev/null || true)"
case "$file_type" in
  *dynamically*) log "pjdfstest is dynamically linked: $file_type"; exit 1 ;;
esac

rm -rf "$out/tests" "$out/pjdfstest"
cp -r tests "$out/tests"
cp pjdfstest "$out/pjdfstest"
echo "$commit" >"$out/commit"
log "ready in $out ($(find "$out/tests" -name '*.t' | wc -l) test files)"
