" Vim syntax file
" Language:    Lenity (policies for clearing old marijuana convictions)
" Filenames:   *.policy
"
" The words of the language are those of compiler/lexer.l; the test
" tests/cli/editors.sh checks that every one of them is on a 'syntax keyword'
" line below.  Items defined later win when two start at the same place, so
" the order of the matches matters: numbers before dates and durations, and
" capitalised words before citations.

if exists("b:current_syntax")
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syntax case match
if has("patch-7.4.1142")
  syntax iskeyword @,48-57,_
endif

" ---- Words of the language --------------------------------------------------
" Declarations: what a policy is made of.
syntax keyword lenityDeclaration policy outcome parameter set table rule column columns example
" How a policy builds on another.
syntax keyword lenityModifier    extends override replace approved
" The policy header.
syntax keyword lenityHeader      jurisdiction authority effective version missing day rounds down up
" The clauses that decide.
syntax keyword lenityConditional when unless then otherwise where from until eligible
" The clauses that explain.
syntax keyword lenityClause      because citing quote
" Comparisons and logic, written in words.
syntax keyword lenityOperator    and or not is in before after between less more than least most
syntax keyword lenityOperator    at as of the same with starts by on
" 'contains' is an argument of :syntax and cannot be given to 'syntax keyword'.
syntax match   lenityOperator    "\<contains\>"
syntax keyword lenityBoolean     true false
" Offence levels, the kinds of outcome, and known/unknown.
syntax keyword lenityConstant    felony misdemeanor infraction known unknown relief review
" Questions about the person's history.
syntax keyword lenityAggregate   any every no other count latest earliest joined distinct
" Counting time and writing values out.
syntax keyword lenityBuiltin     years age decimal written
" Examples and the record.
syntax keyword lenityRecord      person born conviction convictions charge charges expect case cycle

" ---- Names --------------------------------------------------------------------
" The name given after outcome, parameter, set or rule ('by rule NAME' too);
" 'outcome is ...' in a column and 'by rule otherwise' name nothing.
syntax keyword lenityDeclaration outcome parameter set rule nextgroup=lenityDeclaredName skipwhite
syntax match   lenityDeclaredName "\<\%(\%(is\|otherwise\)\>\)\@!\h\w*\>" contained
" person.NAME and conviction.NAME: the field after the dot.
syntax match   lenityFact "\%(\<\%(person\|conviction\)\)\@<=\.\h\w*"
syntax keyword lenityRunDate run_date

" ---- Literals -----------------------------------------------------------------
syntax match   lenityNumber   "\<\d\+\>"
syntax match   lenityDate     "\<\d\{4}-\d\{2}-\d\{2}\>"
syntax match   lenityDuration "\<\d\+[ \t]\+\%(years\=\|months\=\|days\=\)\>\%([ \t]\+\d\+[ \t]\+\%(years\=\|months\=\|days\=\)\>\)*"

" Names start in lower case; a capitalised word that is not a citation is an error.
syntax match   lenityNameError "\<\u\w*\>"
" A code in capitals, a space, a section and any subsections: HS 11357(b)(2).
syntax match   lenityCitation  "\<\u[A-Za-z.]\{,7}[ \t]\+\d[0-9A-Za-z.:/-]*\%(([0-9A-Za-z]\{1,8})\)*"

" Lenity refuses these symbols and asks for words instead.
syntax match   lenitySymbolError "<=\|>=\|==\|!=\|&&\|||\|[<>!:]"
syntax match   lenityArithmetic  "[-+=]"

" ---- Text and comments --------------------------------------------------------
syntax match   lenityEscapeError "\\." contained
syntax match   lenityEscape      +\\[\\"n]+ contained
syntax region  lenityString    start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+$+ oneline contains=lenityEscape,lenityEscapeError,@Spell
" Statute text after quote: """ ... """ over several lines.  Defined after the
" string so that it wins where both start.
syntax region  lenityTextBlock start=+"""+ end=+"""+ contains=@Spell
syntax keyword lenityTodo      contained TODO FIXME XXX NOTE
syntax match   lenityComment   "#.*$" contains=lenityTodo,@Spell

syntax sync minlines=200

" ---- Colours -----------------------------------------------------------------
highlight default link lenityDeclaration  Statement
highlight default link lenityModifier     Statement
highlight default link lenityHeader       Keyword
highlight default link lenityConditional  Conditional
highlight default link lenityClause       Keyword
highlight default link lenityOperator     Operator
highlight default link lenityBoolean      Boolean
highlight default link lenityConstant     Constant
highlight default link lenityAggregate    Keyword
highlight default link lenityBuiltin      Keyword
highlight default link lenityRecord       Keyword
highlight default link lenityDeclaredName Identifier
highlight default link lenityFact         Identifier
highlight default link lenityRunDate      Identifier
highlight default link lenityNumber       Number
highlight default link lenityDate         Type
highlight default link lenityDuration     Type
highlight default link lenityCitation     Special
highlight default link lenityArithmetic   Operator
highlight default link lenityNameError    Error
highlight default link lenitySymbolError  Error
highlight default link lenityEscape       SpecialChar
highlight default link lenityEscapeError  Error
highlight default link lenityString       String
highlight default link lenityTextBlock    String
highlight default link lenityTodo         Todo
highlight default link lenityComment      Comment

let b:current_syntax = "lenity"

let &cpo = s:cpo_save
unlet s:cpo_save
