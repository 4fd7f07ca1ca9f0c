#!/usr/bin/env bash
# The anchor of `pinetl load`: the sqlite3 shell's `.import` of the rows pinetl load ends with.
#
#   bash bench/sqlite_import.sh export DB DIR   writes DIR/final-{pin,geo,user}.csv (the tables of
#                                               DB, a finished load, in ind order) and
#                                               DIR/final-import.sql (their CREATE TABLEs and the
#                                               .import commands)
#   bash bench/sqlite_import.sh import DIR NEW_DB   runs DIR/final-import.sql into NEW_DB (the
#                                               timed part; NEW_DB and its journals removed first)
#
# The rows are exported in ind order, the key order SQLite writes fastest (pinetl load sorts its
# staged rows into that order itself): the strictest anchor for the load.
set -euo pipefail
case ${1:-} in
export)
    db=$2 dir=$3
    : > "$dir/final-import.sql"
    for t in pin geo user; do
        sqlite3 "$db" ".schema $t" >> "$dir/final-import.sql"
        sqlite3 -csv "$db" "SELECT * FROM \"$t\" ORDER BY ind" > "$dir/final-$t.csv"
    done
    for t in pin geo user; do
        echo ".import --csv $dir/final-$t.csv $t" >> "$dir/final-import.sql"
    done
    ;;
import)
    dir=$2 db=$3
    rm -f "$db" "$db-journal" "$db-wal" "$db-shm"
    sqlite3 "$db" < "$dir/final-import.sql"
    ;;
*) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
