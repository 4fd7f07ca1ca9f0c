"""The DuckDB baseline from Python (the `duckdb` package): SPEC.md section 2 cleaning of pins as
SQL (read_json with ignore_errors, regexp/CASE macros, COPY TO JSON), the same SQL as
bench/duckdb_baseline.mjs runs from node. bench/run times it next to pinetl and checks that it
agrees with pinetl on the records both clean.

    duckdb_py_baseline.py clean --table pin IN OUT

Malformed lines are skipped by read_json's ignore_errors (DuckDB keeps no rejects); rows whose
key breaks the spec's rule are left out. Uses every core (DuckDB's default).
"""

import duckdb

from pin_fields import clean_main

MACROS = r"""
CREATE MACRO txt(v, s1, s2) AS
  CASE WHEN v IS NULL OR v = '' OR v = s1 OR v = s2 THEN NULL
       WHEN ascii(v) IN (9, 10, 11, 12, 13, 32) AND trim(v, E' \t\n\x0B\x0C\r') = '' THEN NULL
       ELSE v END;
CREATE MACRO key_of(k) AS
  CASE WHEN json_type(k) IN ('BIGINT', 'UBIGINT') THEN TRY_CAST(k AS BIGINT)
       WHEN json_type(k) = 'DOUBLE' AND TRY_CAST(k AS DOUBLE) = trunc(TRY_CAST(k AS DOUBLE))
            THEN TRY_CAST(TRY_CAST(k AS DOUBLE) AS BIGINT)
       WHEN json_type(k) = 'VARCHAR' AND regexp_full_match(k ->> '$', '[0-9]+')
            THEN TRY_CAST(k ->> '$' AS BIGINT)
       ELSE NULL END;
CREATE MACRO mult(s) AS
  CASE s WHEN '' THEN 1 WHEN 'k' THEN 1000 WHEN 'K' THEN 1000 WHEN 'm' THEN 1000000
         WHEN 'M' THEN 1000000 ELSE 1000000000 END;
CREATE MACRO scaled(g) AS
  CASE WHEN g.w = '' THEN NULL WHEN g.f = '' THEN TRY_CAST(g.w AS HUGEINT) * mult(g.s)
       ELSE TRY_CAST(trunc(TRY_CAST(g.w || g.f AS DECIMAL(38, 12)) * mult(g.s)) AS HUGEINT) END;
CREATE MACRO followers(v) AS
  TRY_CAST(scaled(regexp_extract(v, '^\s*([0-9]+)(\.[0-9]+)?([kKmMbB]?)\s*$', ['w', 'f', 's']))
           AS BIGINT);
"""

PIN_COLUMNS = """{'index': 'JSON', 'unique_id': 'VARCHAR', 'title': 'VARCHAR',
  'description': 'VARCHAR', 'poster_name': 'VARCHAR', 'follower_count': 'VARCHAR',
  'tag_list': 'VARCHAR', 'is_image_or_video': 'VARCHAR', 'image_src': 'VARCHAR',
  'save_location': 'VARCHAR', 'category': 'VARCHAR'}"""

PIN_SELECT = """key_of("index") AS ind, txt(unique_id, NULL, NULL) AS unique_id,
  txt(title, 'No Title Data Available', NULL) AS title,
  txt(description, 'No description available Story format', 'No description available')
    AS description,
  followers(txt(follower_count, 'User Info Error', NULL)) AS follower_count,
  txt(poster_name, 'User Info Error', NULL) AS poster_name,
  txt(tag_list, 'N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e', NULL) AS tag_list,
  txt(is_image_or_video, NULL, NULL) AS is_image_or_video,
  txt(image_src, 'Image src error.', NULL) AS image_src,
  nullif(regexp_replace(txt(save_location, NULL, NULL), '^Local save in ', ''), '')
    AS save_location,
  txt(category, NULL, NULL) AS category"""


def sq(s):
    return "'" + s.replace("'", "''") + "'"


def clean_pin(path, out):
    con = duckdb.connect()
    con.execute(MACROS)
    scan = (f"read_json({sq(path)}, format = 'newline_delimited', columns = {PIN_COLUMNS}, "
            "ignore_errors = true)")
    con.execute(f"COPY (SELECT * FROM (SELECT {PIN_SELECT} FROM {scan}) WHERE ind IS NOT NULL) "
                f"TO {sq(out)} (FORMAT JSON)")


def main():
    clean_main("duckdb (python)", clean_pin)


if __name__ == "__main__":
    main()
