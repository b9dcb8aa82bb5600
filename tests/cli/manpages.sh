#!/usr/bin/env bash
# The man pages document every option the programs' --help lists, and render cleanly.
set -u
BIN=${BIN:-bin}
cd "$(dirname "$0")/../.."
status=0
check() { # "program [command]" manpage
    local opts
    # shellcheck disable=SC2086 # "lenity run": the program and its command
    opts=$("$BIN"/$1 --help 2>&1 | grep -oE '(^|[ [])--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^[ [ ]*//' | sort -u)
    [ -n "$opts" ] || { echo "$1 --help lists no options"; status=1; return; }
    local n=0
    for o in $opts; do
        n=$((n + 1))
        # in roff a '-' is written '\-'
        local roff=${o//-/\\-}
        if ! grep -qF -- "$roff" "$2"; then
            echo "$2 does not document $o, which '$1 --help' lists"
            status=1
        fi
    done
    if command -v groff >/dev/null 2>&1; then
        local warn
        warn=$(groff -man -Tutf8 -ww -z "$2" 2>&1)
        [ -z "$warn" ] || { echo "$2: groff warns: $warn"; status=1; }
    fi
    echo "$2: $n options of '$1 --help' documented"
}
check lenity man/lenity.1
# each command's own --help lists more options than the overview
for command in run test explain diff; do
    check "lenity $command" man/lenity.1
done
check lenityc man/lenityc.1
exit $status
