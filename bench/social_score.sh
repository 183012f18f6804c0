#!/usr/bin/env bash
# Benchmark (issue 5): buurtmonitor.social_score (C core: z-scores, weighted mean 0, priority with
# the mean-1 solve) against the same computation in plain SQL (window functions for the means and
# standard deviations, a recursive CTE bisecting the priority slope gamma, 60 steps), on the same
# synthetic table (N areas, 6 indicators, populations; labelled synthetic), in one run; results are
# checked to agree to 1e-9. Then pca_weights against R prcomp(scale. = TRUE) on the same matrix,
# and shrink_rate against the same formula in vectorised R (R timed inside R on the computation
# only, data already in memory).
# Each query runs REPS times (default 5) in alternation, timed with psql's \timing (no connection
# start-up); the median is reported.
# Usage: bash bench/social_score.sh [areas] [reps]   (cluster from scripts/common.sh, PGPORT)
source "$(dirname "$0")/../scripts/common.sh"
set -euo pipefail
N=${1:-200000}
REPS=${2:-5}
DB=bm_bench_social
WORK=$(mktemp -d /tmp/bm_bench_social.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
chmod 755 "$WORK"

bm_cluster_start
echo "== machine: $(uname -m), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "== PostgreSQL: $(psql -X -At -d postgres -c 'SHOW server_version')"
bm_createdb "$DB"
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

# synthetic areas: six correlated indicators and a population, no missing values
q <<SQL
SELECT setseed(0.25) \gset
CREATE TABLE syn AS
SELECT 'A' || lpad(i::text, 7, '0') AS code, (50 + floor(random() * 5000))::integer AS pop,
       f, 200 + 80 * f + 40 * random() AS woz, 50 + 20 * f + 15 * random() AS koop,
       40 - 20 * f + 15 * random() AS flats, 2.2 + 0.3 * f + 0.2 * random() AS hh,
       30 + 5 * random() AS jong, 10 - 3 * f + 4 * random() AS uitkering
  FROM (SELECT i, (random() + random() + random() - 1.5) AS f FROM generate_series(1, $N) i) s;
ALTER TABLE syn ADD PRIMARY KEY (code);
VACUUM ANALYZE syn;
SQL
echo "== $N synthetic areas"

OURS="SELECT count(*), sum(priority) FROM buurtmonitor.social_score('syn', '{\"key\": \"code\",
  \"columns\": [\"woz\", \"koop\", \"flats\", \"hh\", \"jong\", \"uitkering\"],
  \"polarity\": {\"flats\": -1, \"uitkering\": -1}, \"population\": \"pop\"}')"
# the same in plain SQL: population-weighted z-scores, mean 0, priority with gamma by bisection
PEER_CTE="
WITH m AS (
  SELECT sum(pop * woz) / sum(pop) AS m1, sum(pop * koop) / sum(pop) AS m2, sum(pop * flats) / sum(pop) AS m3,
         sum(pop * hh) / sum(pop) AS m4, sum(pop * jong) / sum(pop) AS m5, sum(pop * uitkering) / sum(pop) AS m6,
         sum(pop)::float8 AS sw FROM syn),
sd AS (
  SELECT sqrt(sum(pop * (woz - m1) ^ 2) / sw) AS s1, sqrt(sum(pop * (koop - m2) ^ 2) / sw) AS s2,
         sqrt(sum(pop * (flats - m3) ^ 2) / sw) AS s3, sqrt(sum(pop * (hh - m4) ^ 2) / sw) AS s4,
         sqrt(sum(pop * (jong - m5) ^ 2) / sw) AS s5, sqrt(sum(pop * (uitkering - m6) ^ 2) / sw) AS s6
    FROM syn, m GROUP BY sw),
r AS (
  SELECT code, pop, ((woz - m1) / s1 + (koop - m2) / s2 - (flats - m3) / s3 + (hh - m4) / s4
                     + (jong - m5) / s5 - (uitkering - m6) / s6) / 6 AS raw
    FROM syn, m, sd),
s AS (SELECT code, pop, raw - sum(pop * raw) OVER () / sum(pop) OVER () AS s FROM r),
e AS (SELECT sum(pop * (least(3, 1 - 0.5 * s) - 1)) FILTER (WHERE s <= 0) AS excess FROM s),
b AS MATERIALIZED (
  WITH RECURSIVE bis(it, lo, hi) AS (
    SELECT 0, 0::float8, 64::float8
    UNION ALL
    SELECT it + 1,
           CASE WHEN (SELECT sum(pop * (1 - exp(-((lo + hi) / 2) * s))) FROM s WHERE s > 0) < (SELECT excess FROM e)
                THEN (lo + hi) / 2 ELSE lo END,
           CASE WHEN (SELECT sum(pop * (1 - exp(-((lo + hi) / 2) * s))) FROM s WHERE s > 0) < (SELECT excess FROM e)
                THEN hi ELSE (lo + hi) / 2 END
      FROM bis WHERE it < 60)
  SELECT (lo + hi) / 2 AS g FROM bis WHERE it = 60),
p AS (SELECT code, s, CASE WHEN s <= 0 THEN least(3, 1 - 0.5 * s) ELSE exp(-g * s) END AS p FROM s, b)"
PEER="$PEER_CTE SELECT count(*), sum(p) FROM p"

echo "== check: plain SQL and social_score agree"
q -At <<SQL
CREATE TABLE ours AS SELECT * FROM buurtmonitor.social_score('syn', '{"key": "code",
  "columns": ["woz", "koop", "flats", "hh", "jong", "uitkering"],
  "polarity": {"flats": -1, "uitkering": -1}, "population": "pop"}');
CREATE TABLE peer AS $PEER_CTE SELECT * FROM p;
SELECT format('max |ds| %s, max |dp| %s over %s areas', max(abs(o.social_score - p.s)), max(abs(o.priority - p.p)), count(*))
  FROM ours o JOIN peer p ON p.code = o.area_code;
SELECT CASE WHEN max(abs(o.social_score - p.s)) < 1e-9 AND max(abs(o.priority - p.p)) < 1e-9 THEN 'agree'
            ELSE 'DISAGREE' END FROM ours o JOIN peer p ON p.code = o.area_code;
SQL

# seconds taken by one statement, as psql's \timing reports it (no connection start-up)
timed() {
    q -c '\timing on' -c "$1" | awk '/^Time:/ { t = $2 } END { printf "%.3f\n", t / 1000 }'
}
median() { sort -n | awk '{a[NR] = $1} END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
: > "$WORK/ours"; : > "$WORK/peer"
for i in $(seq "$REPS"); do
    timed "$OURS" >> "$WORK/ours"
    timed "$PEER" >> "$WORK/peer"
done
o=$(median < "$WORK/ours"); p=$(median < "$WORK/peer")
echo "== social_score + priority, $N areas x 6 indicators, median of $REPS"
printf "   ours (social_score)   %8.3f s\n   plain SQL             %8.3f s\n   ratio ours / SQL      %8.2f\n" \
    "$o" "$p" "$(awk -v a="$o" -v b="$p" 'BEGIN { print a / b }')"

# PCA: pca_weights vs R prcomp on the same six columns
q -c "\\copy (SELECT woz, koop, flats, hh, jong, uitkering FROM syn ORDER BY code) TO '$WORK/syn.csv' WITH (FORMAT csv, HEADER true)"
PCA="SELECT * FROM buurtmonitor.pca_weights('syn', ARRAY['woz', 'koop', 'flats', 'hh', 'jong', 'uitkering'])"
: > "$WORK/pca"
for i in $(seq "$REPS"); do timed "$PCA" >> "$WORK/pca"; done
pc=$(median < "$WORK/pca")
if command -v Rscript >/dev/null 2>&1; then
    r=$(Rscript -e "d <- read.csv('$WORK/syn.csv'); t <- replicate($REPS, system.time(prcomp(d, scale. = TRUE))[['elapsed']]); p <- prcomp(d, scale. = TRUE);
        l <- p\$rotation[, 1]; if (sum(l) < 0) l <- -l; cat(median(t), paste(sprintf('%.6f', l), collapse = ' '), '\n')")
    rt=${r%% *}
    echo "== pca_weights vs R prcomp(scale. = TRUE), $N x 6, median of $REPS"
    printf "   ours (pca_weights, incl. reading the table) %8.3f s\n   R prcomp (data in memory)                  %8.3f s\n   ratio ours / R                             %8.2f\n" \
        "$pc" "$rt" "$(awk -v a="$pc" -v b="$rt" 'BEGIN { print a / b }')"
    echo "   R loadings:    ${r#* }"
    echo "   our loadings:  $(q -At -c "SELECT string_agg(to_char(loading, 'FM0.000000'), ' ') FROM ($PCA) x")"
else
    echo "== pca_weights $pc s (R not available)"
fi
# shrink_rate vs the same formula in R (tapply per parent), on 2,000 parents of N/2000 areas
q <<SQL
CREATE TABLE shr AS
SELECT code, 'P' || (hashtext(code) & 2047) AS parent, r, n
  FROM (SELECT code, n, least(n, floor(n * (0.05 + 0.3 * random()) + 0.5))::integer AS r
          FROM (SELECT code, (5 + floor(random() * 2000))::integer AS n FROM syn) a) b;
VACUUM ANALYZE shr;
SQL
q -c "\\copy (SELECT code, parent, r, n FROM shr ORDER BY code) TO '$WORK/shr.csv' WITH (FORMAT csv, HEADER true)"
q -At -c "SELECT string_agg(s, ',') FROM (SELECT to_char(shrunk_rate, 'FM0.000000000') AS s FROM buurtmonitor.shrink_rate('shr', 'code', 'parent', 'r', 'n') ORDER BY area_code LIMIT 3) x" > "$WORK/shr_ours.txt"
SHR="SELECT count(*), sum(shrunk_rate) FROM buurtmonitor.shrink_rate('shr', 'code', 'parent', 'r', 'n')"
: > "$WORK/shr"
for i in $(seq "$REPS"); do timed "$SHR" >> "$WORK/shr"; done
sh=$(median < "$WORK/shr")
if command -v Rscript >/dev/null 2>&1; then
    rs=$(Rscript -e "h <- read.csv('$WORK/shr.csv'); f <- function() {
        z <- log((h\$r + 0.5) / (h\$n - h\$r + 0.5)); s2 <- 1 / (h\$r + 0.5) + 1 / (h\$n - h\$r + 0.5)
        R <- tapply(h\$r, h\$parent, sum); N <- tapply(h\$n, h\$parent, sum)
        zb <- log((R + 0.5) / (N - R + 0.5))[h\$parent]
        t2 <- (tapply(h\$n * (z - zb)^2, h\$parent, sum) / N)[h\$parent]
        w <- ifelse(t2 > 0, t2 / (t2 + s2), 0); 1 / (1 + exp(-(w * z + (1 - w) * zb))) }
        t <- replicate($REPS, system.time(f())[['elapsed']]); v <- f()
        cat(median(t), paste(sprintf('%.9f', v[1:3]), collapse = ','), '\n')")
    rt=${rs%% *}
    echo "== shrink_rate vs the same formula in R, $N areas in 2,048 parents, median of $REPS"
    printf "   ours (shrink_rate, incl. reading the table) %8.3f s\n   R (tapply, data in memory)                  %8.3f s\n   ratio ours / R                              %8.2f\n" \
        "$sh" "$rt" "$(awk -v a="$sh" -v b="$rt" 'BEGIN { print a / b }')"
    echo "   first shrunk rates, R:    ${rs#* }"
    echo "   first shrunk rates, ours: $(cat "$WORK/shr_ours.txt")"
else
    echo "== shrink_rate $sh s (R not available)"
fi
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null
