-- Map classes (docs/classify.md). Expected values are written out by hand below, taken from a
-- published test vector, or found by brute force in SQL; test/classify_oracle.sh compares with
-- R classInt and simple-statistics on the real Utrecht data.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
CREATE TEMP TABLE hand (v float8);
INSERT INTO hand VALUES (1), (2), (3), (10), (11), (12), (30), (31), (NULL);

-- Hand-made case, n = 8 (the NULL is skipped): 1 2 3 10 11 12 30 31, 3 classes.
-- fisher: groups {1,2,3} {10,11,12} {30,31}, SSE 2 + 2 + 0.5 = 4.5 (any other split is worse);
--   breaks = minimum and class maxima: {1,3,12,31}
-- quantile (type 7): index 1 + 7p; p = 1/3: 3.333 -> x3 + 0.333 * (x4 - x3) = 3 + 7/3 = 5.3333;
--   p = 2/3: 5.667 -> x5 + 0.667 * (x6 - x5) = 11.6667: {1,5.3333,11.6667,31}
-- equal: width (31 - 1) / 3 = 10: {1,11,21,31}
-- pretty: cell 30 / 3 = 10, unit 10, 0 .. 40: {0,10,20,30,40}
-- headtails: mean 100 / 8 = 12.5, head {30,31} = 25 % <= 40 %, its mean 30.5, head {31}: one value,
--   stop: {1,12.5,30.5,31}
-- sd: mean 12.5, squared deviations sum 990, sd = sqrt(990 / 7) = 11.8924; z from -0.967 to 1.556,
--   pretty z breaks -1 0 1 2: {0.6076,12.5,24.3924,36.2847}
SELECT m.method, (SELECT array_agg(round(b::numeric, 4)) FROM unnest(buurtmonitor.class_breaks(v, m.method, 3)) b) AS breaks
  FROM hand, (VALUES (1, 'fisher'), (2, 'quantile'), (3, 'equal'), (4, 'pretty'), (5, 'headtails'), (6, 'sd')) m(o, method)
 GROUP BY m.o, m.method ORDER BY m.o;
-- headtails with an upper limit of 2 classes: {1,12.5,31}
SELECT buurtmonitor.class_breaks(v, 'headtails', 2) FROM hand;
-- the class of each value (right-closed: 3 is in class 1, 3.5 in class 2; 31 in class 3)
SELECT v, buurtmonitor.class_of(v, b) AS class
  FROM hand, (SELECT buurtmonitor.class_breaks(v, 'fisher', 3) AS b FROM hand) f
 WHERE v IS NOT NULL ORDER BY v;
SELECT buurtmonitor.class_of(3.5, '{1,3,12,31}') AS c35, buurtmonitor.class_of(0.5, '{1,3,12,31}') AS below,
       buurtmonitor.class_of(31.5, '{1,3,12,31}') AS above, buurtmonitor.class_of(NULL, '{1,3}') AS null_value;

-- Box plot, hinge 1.5, on 1 2 3 10 11 12 30 31 100: quartiles (type 7) 3, 11, 30; IQR 27,
-- fences 3 - 40.5 = -37.5 and 30 + 40.5 = 70.5. The lower fence lies below the minimum: the
-- lower outlier class is empty, [-37.5, -37.5]; 100 is an upper outlier (class 6).
SELECT buurtmonitor.class_breaks(v, 'box', NULL) FROM (SELECT v FROM hand UNION ALL SELECT 100) t;
SELECT buurtmonitor.class_of(100, '{-37.5,-37.5,3,11,30,70.5,100}') AS outlier;

-- Published test vector: simple-statistics' documentation of ckmeans (also the example of
-- R Ckmeans.1d.dp): ckmeans([-1, 2, -1, 2, 4, 5, 6, -1, 2, -1], 3) = [[-1,-1,-1,-1], [2,2,2], [4,5,6]]
SELECT buurtmonitor.class_breaks(v, 'fisher', 3)
  FROM unnest('{-1,2,-1,2,4,5,6,-1,2,-1}'::float8[]) v;

-- Edge cases: k = 1; fewer distinct values than classes (each value its own class);
-- all values equal (one class [v, v] for every method); no values; negative values.
SELECT buurtmonitor.class_breaks(v, 'fisher', 1) AS k1,
       buurtmonitor.class_breaks(v, 'fisher', 20) AS k20
  FROM hand;
SELECT m, buurtmonitor.class_breaks(v, m, 4) AS all_equal
  FROM unnest('{5,5,5}'::float8[]) v, unnest('{fisher,quantile,equal,pretty,headtails,sd}'::text[]) m
 GROUP BY m ORDER BY m;
SELECT buurtmonitor.class_breaks(v, 'fisher', 3) AS no_rows FROM hand WHERE v > 100;
-- -5 -4 -1 0 1 6 7: fisher 3 classes {-5,-4} {-1,0,1} {6,7}
SELECT buurtmonitor.class_breaks(v, 'fisher', 3) AS negatives FROM unnest('{0,-5,7,-1,1,-4,6}'::float8[]) v;
-- ties never straddle a break: 1 1 1 2 2 2 9 with 2 classes -> {1,1,1,2,2,2} {9}
SELECT buurtmonitor.class_breaks(v, 'fisher', 2) AS ties FROM unnest('{1,1,1,2,2,2,9}'::float8[]) v;
-- GROUP BY: one classification per group
SELECT g, buurtmonitor.class_breaks(v, 'fisher', 2)
  FROM (VALUES ('a', 1), ('a', 2), ('a', 10), ('b', 5), ('b', 50), ('b', 55)) t(g, v) GROUP BY g ORDER BY g;

-- Weighted fisher against brute force over ALL partitions (not only contiguous ones) of seven
-- weighted values into 3 non-empty groups: every assignment 0..3^7-1 of a group to each value
-- (1806 partitions). The weight 20 on 12 moves the breaks: unweighted {0,3} {7,9,12} {16,18}.
CREATE TEMP TABLE wv (i int, v float8, w float8);
INSERT INTO wv VALUES (0, 0, 1), (1, 3, 1), (2, 7, 1), (3, 9, 1), (4, 12, 20), (5, 16, 1), (6, 18, 1);
WITH a AS (SELECT n, i, v, w, (n / (3 ^ i)::int) % 3 AS grp FROM generate_series(0, 2186) n, wv),
     g AS (SELECT n, grp, sum(w * v * v) - sum(w * v) ^ 2 / sum(w) AS sse, max(v) AS vmax FROM a GROUP BY n, grp),
     p AS (SELECT n, sum(sse) AS sse, array_agg(vmax ORDER BY vmax) AS maxima FROM g GROUP BY n HAVING count(*) = 3)
SELECT round(sse::numeric, 6) AS best_sse, maxima, count(*) OVER () AS partitions
  FROM p ORDER BY sse LIMIT 1;
SELECT buurtmonitor.class_breaks(v, w, 'fisher', 3) AS weighted,
       buurtmonitor.class_breaks(v, 'fisher', 3) AS unweighted FROM wv;
-- weight 0 and NULL weights are ignored
SELECT buurtmonitor.class_breaks(v, w, 'fisher', 2) FROM (VALUES (1, 1), (2, 1), (50, 0), (9, NULL), (10, 1)) t(v, w);

-- Parallel: partial aggregates in two workers give the same breaks as one process.
CREATE TABLE classify_par AS SELECT (g * 7919 % 100003)::float8 / 7 AS v FROM generate_series(1, 200000) g;
ANALYZE classify_par;
SET work_mem = '32MB';
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT buurtmonitor.class_breaks(v, 'fisher', 5) FROM classify_par;
CREATE TEMP TABLE par AS SELECT buurtmonitor.class_breaks(v, 'fisher', 5) AS f,
                                buurtmonitor.class_breaks(v, 'quantile', 5) AS q FROM classify_par;
SET max_parallel_workers_per_gather = 0;
SELECT par.f = s.f AS fisher_same, par.q = s.q AS quantile_same
  FROM par, (SELECT buurtmonitor.class_breaks(v, 'fisher', 5) AS f,
                    buurtmonitor.class_breaks(v, 'quantile', 5) AS q FROM classify_par) s;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
-- memory budget: 200,000 values (1,600,000 bytes) need more than work_mem = 1MB
SET work_mem = '1MB';
SELECT buurtmonitor.class_breaks(v, 'fisher', 5) FROM classify_par;
RESET work_mem;
DROP TABLE classify_par;

-- Errors
SELECT buurtmonitor.class_breaks(v, 'fisher', 3) FROM unnest('{1,NaN}'::float8[]) v;
SELECT buurtmonitor.class_breaks(v, 'fisher', 3) FROM unnest('{1,Infinity}'::float8[]) v;
SELECT buurtmonitor.class_breaks(v, 'jenks', 3) FROM hand;
SELECT buurtmonitor.class_breaks(v, 'fisher', 0) FROM hand;
SELECT buurtmonitor.class_breaks(v, 'fisher', NULL) FROM hand;
SELECT buurtmonitor.class_breaks(v, NULL, 3) FROM hand;
SELECT buurtmonitor.class_breaks(v, 'box', 5) FROM hand;
SELECT buurtmonitor.class_breaks(v, 1, 'quantile', 3) FROM hand;
SELECT buurtmonitor.class_breaks(v, -1, 'fisher', 3) FROM hand;
SELECT buurtmonitor.class_breaks(v, CASE WHEN v > 5 THEN 'fisher' ELSE 'equal' END, 3) FROM hand;
SELECT buurtmonitor.class_of(1, '{3,1}');
SELECT buurtmonitor.class_of(1, '{1}');
SELECT buurtmonitor.class_of(1, '{1,NULL}');
SELECT buurtmonitor.class_of(1, '{1,Infinity}');
SELECT buurtmonitor.class_of('NaN', '{1,2}');

-- Legend labels: Dutch and English, thousands separators, units from the catalogue
SELECT buurtmonitor.class_labels('{0,1000,2500,9210}', 'a_inw', unit => 'inwoners') AS nl;
SELECT buurtmonitor.class_labels('{0,1000,2500,9210}', 'a_inw', 'en') AS en;
-- g_wozbag: unit "x 1000 euro"; 250.5 shown as 251 (rounding moves it 0.5, below 5 % of 167.5)
SELECT buurtmonitor.class_labels('{83,250.5,1220}', 'g_wozbag') AS woz;
-- negative values, two decimals needed (-0.37 rounded to -0.4 would move it 0.03 > 5 % of 0.1)
SELECT buurtmonitor.class_labels('{-0.37,-0.1,0,0.15}', 'lbm_onv', 'en') AS negatives;
SELECT buurtmonitor.class_labels('{0,12.5,100}', 'p_koopw') AS percent,
       buurtmonitor.class_labels('{1234567.891,2345678.9}', decimals => 2, language => 'nl') AS decimals;
SELECT buurtmonitor.format_number(-0.004, 2) AS minus_zero, buurtmonitor.format_number(1234.5, 1, 'en') AS en;
SELECT buurtmonitor.class_labels('{1,2}', 'no_such_indicator');
SELECT buurtmonitor.class_labels('{1,2}', language => 'de');
