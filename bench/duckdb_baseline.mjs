// The DuckDB baseline: SPEC.md section 2 cleaning and section 3 insights as SQL (read_json,
// regexp/CASE expressions, COPY TO JSON), run by @duckdb/node-api. bench/run installs the package
// into bench/node_modules (git-ignored) and times this script next to pinetl.
//
//   node bench/duckdb_baseline.mjs clean --table pin IN OUT
//   node bench/duckdb_baseline.mjs insights PIN GEO USER [OUT]
//
// Malformed lines are skipped by read_json's ignore_errors (DuckDB keeps no rejects); keys are
// checked as the spec says and rows with a bad key are left out. Uses every core (DuckDB's default).
import { DuckDBInstance } from '@duckdb/node-api';

const sq = (s) => `'${s.replaceAll("'", "''")}'`;

// Text rule: null when missing, blank or one of the column's sentinels.
const MACROS = `
CREATE MACRO txt(v, s1, s2) AS
  CASE WHEN v IS NULL OR v = '' OR v = s1 OR v = s2 THEN NULL
       WHEN ascii(v) IN (9, 10, 11, 12, 13, 32) AND trim(v, E' \\t\\n\\x0B\\x0C\\r') = '' THEN NULL
       ELSE v END;
CREATE MACRO key_of(k) AS
  CASE WHEN json_type(k) IN ('BIGINT', 'UBIGINT') THEN TRY_CAST(k AS BIGINT)
       WHEN json_type(k) = 'DOUBLE' AND TRY_CAST(k AS DOUBLE) = trunc(TRY_CAST(k AS DOUBLE))
            THEN TRY_CAST(TRY_CAST(k AS DOUBLE) AS BIGINT)
       WHEN json_type(k) = 'VARCHAR' AND regexp_full_match(k ->> '$', '[0-9]+')
            THEN TRY_CAST(k ->> '$' AS BIGINT)
       ELSE NULL END;
CREATE MACRO mult(s) AS
  CASE s WHEN '' THEN 1 WHEN 'k' THEN 1000 WHEN 'K' THEN 1000 WHEN 'm' THEN 1000000 WHEN 'M' THEN 1000000
         ELSE 1000000000 END;
CREATE MACRO scaled(g) AS
  CASE WHEN g.w = '' THEN NULL WHEN g.f = '' THEN TRY_CAST(g.w AS HUGEINT) * mult(g.s)
       ELSE TRY_CAST(trunc(TRY_CAST(g.w || g.f AS DECIMAL(38, 12)) * mult(g.s)) AS HUGEINT) END;
CREATE MACRO followers(v) AS
  TRY_CAST(scaled(regexp_extract(v, '^\\s*([0-9]+)(\\.[0-9]+)?([kKmMbB]?)\\s*$', ['w', 'f', 's'])) AS BIGINT);
CREATE MACRO ts_of(v) AS
  coalesce(TRY_CAST(v AS TIMESTAMPTZ), to_timestamp(TRY_CAST(v AS DOUBLE)));
CREATE MACRO iso(t) AS
  CASE WHEN microsecond(t) % 1000000 = 0 THEN strftime(t AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ')
       ELSE strftime(t AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ') END;
CREATE MACRO coord(v, lim) AS
  CASE WHEN isfinite(TRY_CAST(v AS DOUBLE)) AND abs(TRY_CAST(v AS DOUBLE)) <= lim
       THEN TRY_CAST(v AS DOUBLE) END;
`;

const COLUMNS = {
  pin: `{'index': 'JSON', 'unique_id': 'VARCHAR', 'title': 'VARCHAR', 'description': 'VARCHAR',
         'poster_name': 'VARCHAR', 'follower_count': 'VARCHAR', 'tag_list': 'VARCHAR',
         'is_image_or_video': 'VARCHAR', 'image_src': 'VARCHAR', 'save_location': 'VARCHAR',
         'category': 'VARCHAR'}`,
  geo: `{'ind': 'JSON', 'timestamp': 'VARCHAR', 'latitude': 'VARCHAR', 'longitude': 'VARCHAR',
         'country': 'VARCHAR'}`,
  user: `{'ind': 'JSON', 'first_name': 'VARCHAR', 'last_name': 'VARCHAR', 'age': 'VARCHAR',
          'date_joined': 'VARCHAR'}`,
};

const SELECT = {
  pin: `key_of("index") AS ind, txt(unique_id, NULL, NULL) AS unique_id,
        txt(title, 'No Title Data Available', NULL) AS title,
        txt(description, 'No description available Story format', 'No description available') AS description,
        followers(txt(follower_count, 'User Info Error', NULL)) AS follower_count,
        txt(poster_name, 'User Info Error', NULL) AS poster_name,
        txt(tag_list, 'N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e', NULL) AS tag_list,
        txt(is_image_or_video, NULL, NULL) AS is_image_or_video,
        txt(image_src, 'Image src error.', NULL) AS image_src,
        nullif(regexp_replace(txt(save_location, NULL, NULL), '^Local save in ', ''), '') AS save_location,
        txt(category, NULL, NULL) AS category`,
  geo: `key_of(ind) AS ind, txt(country, NULL, NULL) AS country,
        CASE WHEN coord(latitude, 90) IS NOT NULL AND coord(longitude, 180) IS NOT NULL
             THEN [coord(latitude, 90), coord(longitude, 180)] END AS coordinates,
        ts_of(timestamp) AS timestamp`,
  user: `key_of(ind) AS ind,
         nullif(concat_ws(' ', txt(first_name, NULL, NULL), txt(last_name, NULL, NULL)), '') AS user_name,
         CASE WHEN TRY_CAST(age AS DOUBLE) BETWEEN 0 AND 150
                   AND TRY_CAST(age AS DOUBLE) = trunc(TRY_CAST(age AS DOUBLE))
              THEN TRY_CAST(TRY_CAST(age AS DOUBLE) AS BIGINT) END AS age,
         ts_of(date_joined) AS date_joined`,
};

const scan = (table, path) =>
  `read_json(${sq(path)}, format = 'newline_delimited', columns = ${COLUMNS[table]},
             ignore_errors = true)`;

const cleaned = (table, path) => `SELECT ${SELECT[table]} FROM ${scan(table, path)}`;

async function clean(con, table, input, output) {
  const ts = table === 'geo' ? 'timestamp' : table === 'user' ? 'date_joined' : null;
  const cols = ts ? `* REPLACE (iso(${ts}) AS ${ts})` : '*';
  await con.run(`COPY (SELECT ${cols} FROM (${cleaned(table, input)}) WHERE ind IS NOT NULL)
                 TO ${sq(output)} (FORMAT JSON)`);
}

const AGE_GROUP = `CASE WHEN age BETWEEN 18 AND 24 THEN '18-24' WHEN age BETWEEN 25 AND 35 THEN '25-35'
                        WHEN age BETWEEN 36 AND 50 THEN '36-50' WHEN age >= 51 THEN '+50' END`;
const AGE_ORDER = `CASE age_group WHEN '18-24' THEN 1 WHEN '25-35' THEN 2 WHEN '36-50' THEN 3 ELSE 4 END`;

const INSIGHTS = {
  top_category_by_country: `
    WITH c AS (SELECT country, category, count(*) AS category_count FROM pg
               WHERE country IS NOT NULL AND category IS NOT NULL GROUP BY ALL)
    SELECT * FROM c QUALIFY category_count = max(category_count) OVER (PARTITION BY country)
    ORDER BY country, category`,
  top_category_by_year: `
    WITH c AS (SELECT year(timestamp AT TIME ZONE 'UTC') AS post_year, category, count(*) AS category_count
               FROM pg WHERE category IS NOT NULL AND year(timestamp AT TIME ZONE 'UTC') BETWEEN 2018 AND 2022
               GROUP BY ALL)
    SELECT * FROM c QUALIFY category_count = max(category_count) OVER (PARTITION BY post_year)
    ORDER BY post_year, category`,
  top_user_by_country: `
    SELECT * FROM tu ORDER BY country, poster_name`,
  top_country_by_followers: `
    SELECT DISTINCT country, follower_count FROM tu
    WHERE follower_count = (SELECT max(follower_count) FROM tu) ORDER BY country`,
  top_category_by_age_group: `
    WITH c AS (SELECT age_group, category, count(*) AS category_count FROM pu
               WHERE age_group IS NOT NULL AND category IS NOT NULL GROUP BY age_group, category)
    SELECT * FROM c QUALIFY category_count = max(category_count) OVER (PARTITION BY age_group)
    ORDER BY ${AGE_ORDER}, category`,
  median_followers_by_age_group: `
    SELECT age_group, quantile_disc(follower_count, 0.5) AS median_follower_count FROM pu
    WHERE age_group IS NOT NULL AND follower_count IS NOT NULL GROUP BY age_group ORDER BY ${AGE_ORDER}`,
  users_joined_by_year: `
    SELECT year(date_joined AT TIME ZONE 'UTC') AS post_year, count(*) AS number_users_joined
    FROM (SELECT DISTINCT user_name, date_joined FROM u WHERE user_name IS NOT NULL)
    WHERE year(date_joined AT TIME ZONE 'UTC') BETWEEN 2015 AND 2020 GROUP BY ALL ORDER BY post_year`,
  median_followers_by_join_year: `
    SELECT year(date_joined AT TIME ZONE 'UTC') AS post_year,
           quantile_disc(follower_count, 0.5) AS median_follower_count
    FROM pu WHERE year(date_joined AT TIME ZONE 'UTC') BETWEEN 2015 AND 2020 AND follower_count IS NOT NULL
    GROUP BY ALL ORDER BY post_year`,
  median_followers_by_age_group_and_join_year: `
    SELECT age_group, year(date_joined AT TIME ZONE 'UTC') AS post_year,
           quantile_disc(follower_count, 0.5) AS median_follower_count
    FROM pu WHERE age_group IS NOT NULL AND follower_count IS NOT NULL
      AND year(date_joined AT TIME ZONE 'UTC') BETWEEN 2015 AND 2020
    GROUP BY age_group, post_year ORDER BY ${AGE_ORDER}, post_year`,
};

// Cleans the three tables into memory, keeps the last row of each ind, answers every insight.
async function insights(con, paths, out) {
  for (const table of ['pin', 'geo', 'user']) {
    // rowid follows input order (insertion order is preserved): the highest rowid of an ind wins
    const t = table[0];
    await con.run(`CREATE TABLE raw_${t} AS ${cleaned(table, paths[table])}`);
    await con.run(`CREATE TABLE ${t} AS SELECT r.* FROM raw_${t} r
      JOIN (SELECT ind, max(rowid) AS last FROM raw_${t} WHERE ind IS NOT NULL GROUP BY ind) k
      ON r.ind = k.ind AND r.rowid = k.last`);
    await con.run(`DROP TABLE raw_${t}`);
  }
  await con.run(`CREATE TEMP VIEW pg AS SELECT * FROM p JOIN g USING (ind)`);
  await con.run(`CREATE TEMP VIEW pu AS SELECT *, ${AGE_GROUP} AS age_group FROM p JOIN u USING (ind)`);
  await con.run(`CREATE TABLE tu AS
    WITH d AS (SELECT DISTINCT country, poster_name, follower_count FROM pg
               WHERE country IS NOT NULL AND poster_name IS NOT NULL AND follower_count IS NOT NULL)
    SELECT * FROM d QUALIFY follower_count = max(follower_count) OVER (PARTITION BY country)`);
  const lines = [];
  for (const [name, sql] of Object.entries(INSIGHTS)) {
    const reader = await con.runAndReadAll(sql);
    const rows = reader.getRowObjectsJson();
    lines.push(JSON.stringify({ insight: name, rows }));
  }
  const text = lines.join('\n') + '\n';
  if (out) {
    const fs = await import('node:fs');
    fs.writeFileSync(out, text);
  } else {
    process.stdout.write(text);
  }
}

async function main() {
  const args = process.argv.slice(2);
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  await con.run("SET TimeZone = 'UTC'");
  await con.run(MACROS);
  const t0 = process.hrtime.bigint();
  if (args[0] === 'clean' && args[1] === '--table' && args.length === 5) {
    await clean(con, args[2], args[3], args[4]);
  } else if (args[0] === 'insights' && (args.length === 4 || args.length === 5)) {
    await insights(con, { pin: args[1], geo: args[2], user: args[3] }, args[4]);
  } else {
    process.stderr.write('usage: duckdb_baseline.mjs clean --table T IN OUT | insights PIN GEO USER [OUT]\n');
    process.exit(2);
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stderr.write(`duckdb ${args[0]}: ${secs.toFixed(3)} s inside DuckDB\n`);
}

await main();
