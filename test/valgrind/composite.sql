CREATE EXTENSION buurtmonitor CASCADE;

CREATE TABLE ss3 (code text, a double precision, b integer, pop integer, gm text);

INSERT INTO ss3 VALUES ('A', 1, 10, 100, 'G1'), ('B', 2, 30, 200, 'G1'), ('C', 3, 20, 100, 'G2'), ('D', 6, NULL, NULL, 'G2'), ('E', NULL, NULL, 10, 'G2');

SELECT * FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "b"]}');

SELECT * FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "b"], "population": "pop", "polarity": {"b": -1}, "weights": {"a": 3}}');

SELECT * FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "b"], "parent": "gm", "impute": "parent", "min_share": 0.5}');

SELECT * FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "b"], "min_share": 1, "cap": 1.2, "beta": 2}');

SELECT * FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "b"], "weights": {"a": -1}}');

SELECT * FROM buurtmonitor.social_score('ss3', '{"key": "code", "columns": ["a", "b"], "weights": {"a": 0}}');

SELECT buurtmonitor.priority_scores('{-1, NULL, 0, 1}');

SELECT buurtmonitor.priority_scores('{-4, -1, 1, 1, 1, 2}', '{1,2,3,4,5,6}', 0.3, 2);

SELECT buurtmonitor.priority_scores('{-2, -1, 2}');

SELECT buurtmonitor.priority_scores('{}');

SELECT buurtmonitor.priority_scores('{1,2}', '{1}');

SELECT buurtmonitor.priority_scores('{0,0,0}');

CREATE TABLE pca_syn (code text PRIMARY KEY, x numeric, y integer, z double precision, w real);

INSERT INTO pca_syn VALUES ('a', 2.0, 30, 9.1, 1.0), ('b', 4.0, 42, 7.7, 3.0), ('c', 3.5, 37, 8.0, 0.5), ('d', 8.0, 71, 3.2, 2.5), ('e', 6.5, 60, 4.8, 4.0), ('f', 1.0, 25, 9.9, 2.0), ('g', 7.0, 66, 3.9, 1.5), ('h', 5.0, 50, 6.0, NULL);

SELECT * FROM buurtmonitor.pca_weights('pca_syn', ARRAY['x', 'y', 'z', 'w']);

SELECT * FROM buurtmonitor.pca_weights('pca_syn', ARRAY['x', 'y']);

SELECT buurtmonitor._pca_first('{{1,2},{2,2},{3,2}}', '{a,b}');

SELECT buurtmonitor._pca_first('{{1,2}}', '{a,b}');

CREATE TABLE utr_stage (c0 text, c1 text, c2 text, c3 text, c4 text, c5 text, c6 text, c7 text, c8 text, c9 text, c10 text, c11 text, c12 text, c13 text, c14 text, c15 text, c16 text, c17 text, c18 text, c19 text, c20 text, c21 text, c22 text, c23 text, c24 text, c25 text, c26 text, c27 text, c28 text, c29 text, c30 text, c31 text, c32 text, c33 text, c34 text);

COPY utr_stage FROM '@DATA@/utrecht/kwb2022_leefbaarometer2020_ses.csv' WITH (FORMAT csv, HEADER true);

CREATE TABLE utr AS SELECT c1 AS code, c4::float8 AS pop, nullif(c9::float8, 0) AS woz, CASE WHEN c9::float8 > 0 THEN c12::float8 END AS koop, CASE WHEN c9::float8 > 0 THEN c10::float8 END AS mgz, CASE WHEN c9::float8 > 0 THEN c7::float8 END AS hh, substr(c1, 3, 4) AS gm FROM utr_stage;

SELECT count(*), sum(social_score), sum(priority) FROM buurtmonitor.social_score('utr', '{"key": "code", "columns": ["woz", "koop", "mgz", "hh"], "polarity": {"mgz": -1}, "population": "pop", "parent": "gm", "impute": "parent"}');

SELECT * FROM buurtmonitor.pca_weights('utr', ARRAY['woz', 'koop', 'mgz', 'hh']);

