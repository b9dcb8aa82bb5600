#!/usr/bin/env bash
# Editor support keeps up with the language: every word of Lenity, as the
# scanner (compiler/lexer.l) knows them, is highlighted by the TextMate grammar
# (editors/textmate) and by the Vim syntax file (editors/vim).  Adding a word to
# the lexer without adding it to both makes this test fail, naming the word.
#
# A word counts only where it is highlighted, not wherever it is written:
#   TextMate: an alternative of a "match" pattern, e.g. "\\b(?:when|unless)\\b";
#   Vim:      a word of a 'syntax keyword' line after the group name, or a
#             'syntax match GROUP "\<word\>"' (for the few words :syntax keeps).
# The JSON files must parse (python3 -m json.tool, when python3 is there), and
# the Vim files must load without an error (when vim is there).
set -uo pipefail
cd "$(dirname "$0")/../.."

lexer=compiler/lexer.l
grammar=editors/textmate/lenity.tmLanguage.json
vimsyntax=editors/vim/syntax/lenity.vim
vimftdetect=editors/vim/ftdetect/lenity.vim
status=0
problem() { echo "editors: $*"; status=1; }

for f in "$lexer" "$grammar" "$vimsyntax" "$vimftdetect" editors/textmate/package.json \
         editors/textmate/language-configuration.json; do
    [ -f "$f" ] || { echo "editors: $f is missing"; exit 1; }
done

# The lexer's words: the lines of the form    "word"   return TOKEN;
keywords=$(sed -n -E 's/^"([a-z_]+)"[[:space:]]+return[[:space:]]+[A-Z][A-Z_]*;.*$/\1/p' "$lexer" | sort -u)
count=$(printf '%s\n' "$keywords" | grep -c .)
if [ "$count" -lt 40 ]; then
    echo "editors: found only $count keywords in $lexer; has the layout of its keyword lines changed?"
    exit 1
fi

# TextMate: the words that are alternatives in a "match" pattern.
tm_patterns=$(grep -E '"match"[[:space:]]*:' "$grammar")
# Vim: the words of the 'syntax keyword' lines, and of 'syntax match GROUP "\<word\>"'.
vim_words=$( {
    awk '$1 ~ /^syn(tax)?$/ && $2 == "keyword" {
             for (i = 4; i <= NF; i++) {
                 if ($i ~ /^"/) break                 # a trailing comment
                 if ($i ~ /=/ || $i ~ /^(contained|transparent|skipwhite|skipnl|skipempty|display|fold|extend|conceal)$/) continue
                 print $i
             }
         }' "$vimsyntax"
    sed -n -E 's/^[[:space:]]*syn(tax)?[[:space:]]+match[[:space:]]+[A-Za-z]+[[:space:]]+"\\<([a-z_]+)\\>".*$/\2/p' "$vimsyntax"
} | sort -u)

missing_tm=()
missing_vim=()
while IFS= read -r w; do
    grep -qE "[(|:]${w}[|)]" <<<"$tm_patterns" || missing_tm+=("$w")
    grep -qxF "$w" <<<"$vim_words" || missing_vim+=("$w")
done <<<"$keywords"

if [ "${#missing_tm[@]}" -gt 0 ]; then
    problem "not highlighted by $grammar (${#missing_tm[@]} of $count keywords of $lexer): ${missing_tm[*]}"
fi
if [ "${#missing_vim[@]}" -gt 0 ]; then
    problem "not highlighted by $vimsyntax (${#missing_vim[@]} of $count keywords of $lexer): ${missing_vim[*]}"
fi

# Words Vim highlights that the lexer does not have: a note, not a failure.
extra=$(comm -13 <(printf '%s\n' "$keywords") <(printf '%s\n' "$vim_words") | grep -vxE 'run_date|TODO|FIXME|XXX|NOTE' | tr '\n' ' ')
[ -n "$extra" ] && echo "editors: note: $vimsyntax highlights words the lexer does not have: $extra"

# The grammar names the language and the file type VS Code and others look for.
grep -qE '"scopeName"[[:space:]]*:[[:space:]]*"source\.lenity"' "$grammar" || problem "$grammar: scopeName is not source.lenity"
grep -qE '"fileTypes"[[:space:]]*:[[:space:]]*\[[[:space:]]*"policy"' "$grammar" || problem "$grammar: fileTypes is not [\"policy\"]"
grep -q 'source\.lenity' editors/textmate/package.json || problem "editors/textmate/package.json does not contribute source.lenity"

# The JSON parses.
if command -v python3 >/dev/null 2>&1; then
    for f in "$grammar" editors/textmate/package.json editors/textmate/language-configuration.json; do
        if ! err=$(python3 -m json.tool "$f" 2>&1 >/dev/null); then
            problem "$f is not valid JSON: $err"
        fi
    done
else
    echo "editors: python3 not found; the JSON files were not parsed"
fi

# Vim loads the syntax file without an error and calls a .policy file lenity.
if command -v vim >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    to=(); command -v timeout >/dev/null 2>&1 && to=(timeout 30)
    HOME=$tmp "${to[@]}" vim -Es -u NONE -i NONE -N \
        -c "set rtp^=$PWD/editors/vim" -c 'filetype on' -c 'syntax on' \
        -c "redir! > $tmp/messages" -c 'silent edit rules/ca/prop64.policy' \
        -c 'echo "filetype=" . &filetype . " syntax=" . get(b:, "current_syntax", "")' \
        -c 'redir END' -c 'qa!' </dev/null >/dev/null 2>&1
    msgs=$(cat "$tmp/messages" 2>/dev/null)
    if grep -qE 'E[0-9]+:' <<<"$msgs"; then
        problem "vim reports errors loading $vimsyntax: $(grep -E 'E[0-9]+:' <<<"$msgs" | tr '\n' ' ')"
    fi
    grep -q 'filetype=lenity syntax=lenity' <<<"$msgs" ||
        problem "vim did not take a .policy file as lenity with $vimftdetect and $vimsyntax: $msgs"
else
    echo "editors: vim not found; the Vim files were not loaded"
fi

[ "$status" -eq 0 ] && echo "editors: all $count keywords of $lexer are highlighted in both editors"
exit "$status"
