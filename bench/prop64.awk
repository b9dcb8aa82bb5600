# prop64.awk - the simplest Prop 64 check over a CA DOJ export, as a yardstick for `make bench`.
#
# Counts the rows whose OFFENSE_DESCR (column 55) starts with 11357, 11358, 11359 or 11360
# and whose DISP_DESCR (column 81) starts with CONVICTED.  Nothing else: no grouping by
# subject, no SEE COMMENT FOR CHARGE, no dates, no decision.  Quoted fields may hold commas
# (PRI_NAME is "SURNAME,GIVEN"), so a row with a double quote is re-split: the commas inside
# quotes are swapped for a byte that never occurs in the data before splitting.  A quoted
# field spanning lines is not handled (the generator never writes one).
#
#   awk -f bench/prop64.awk FILE         prints: prop64_convicted_rows N

BEGIN { FS = "," }

{
    if (index($0, "\"") > 0) {
        n = split($0, part, "\"")
        line = part[1]
        for (i = 2; i <= n; i++) {
            if (i % 2 == 0)
                gsub(/,/, "\001", part[i])
            line = line part[i]
        }
        nf = split(line, f, ",")
        offence = f[55]
        disp = f[81]
    } else {
        offence = $55
        disp = $81
    }
    if (offence ~ /^(1135[789]|11360)/ && disp ~ /^CONVICTED/)
        count++
}

END { print "prop64_convicted_rows " (count + 0) }
