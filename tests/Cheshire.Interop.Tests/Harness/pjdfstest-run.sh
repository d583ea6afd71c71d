#!/bin/sh
# Runs pjdfstest files in the v9fs guest: pjdfstest-run.sh TAG WORKDIR SECONDS DIR...
# Each /pjdfstest/tests/DIR/*.t runs in its own fresh folder under WORKDIR, under a SIGKILL
# timeout of SECONDS, and prints one line:
#   pjd TAG DIR/FILE PLANNED OK NOTOK STATUS SECONDS
# (PLANNED from the TAP plan; checks planned but not reported were cut short), then its failures as
#   pjdfail TAG DIR/FILE <the TAP "not ok" line, cut at 400 characters: some name PATH_MAX-long paths>
tag=$1 work=$2 limit=$3
shift 3
out=/tmp/pjd-$tag.out
for d in "$@"; do
  for t in /pjdfstest/tests/$d/*.t; do
    [ -f "$t" ] || { echo "pjd $tag $d/none 0 0 0 missing 0"; continue; }
    f=$d/${t##*/}
    w=$work/pjd-$d-${f##*/}
    t0=$(cut -d' ' -f1 /proc/uptime)
    if timeout -s KILL 30 mkdir "$w"; then
      (cd "$w" && exec timeout -s KILL "$limit" sh "$t") >"$out" 2>&1 </dev/null
      rc=$?
    else
      echo "not ok - cannot create $w" >"$out"
      rc=mkdir
    fi
    t1=$(cut -d' ' -f1 /proc/uptime)
    planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$out" | head -n 1)
    ok=$(grep -c '^ok' "$out")
    notok=$(grep -c '^not ok' "$out")
    echo "pjd $tag $f ${planned:-0} $ok $notok $rc $(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}')"
    grep '^not ok' "$out" | cut -c 1-400 | sed "s|^|pjdfail $tag $f |"
    timeout -s KILL 60 rm -rf "$w" 2>/dev/null
  done
done
