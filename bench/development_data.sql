-- Synthetic NL-scale data set for bench/development.sh (SYNTHETIC values, real-looking codes):
-- 340 gemeenten, 3,060 wijken, 12,240 buurten (15,640 areas), 10 periods (2016-2025), 50 indicators
-- (10 counts, 30 shares, 10 means) on every area: 7,820,000 observations.
-- Values are pseudo-random (setseed) with a small trend; nothing here is real data.
SELECT setseed(0.4242);
-- bulk load: skip the per-row foreign-key triggers (the rows are consistent by construction)
SET session_replication_role = replica;
INSERT INTO buurtmonitor.indicators (code, label, kind, denominator, scale, polarity, tolerance)
SELECT 'bench_c' || i, 'synthetic count ' || i, 'count', NULL, 1, 0, 0 FROM generate_series(1, 10) i;
INSERT INTO buurtmonitor.indicators (code, label, kind, denominator, scale, polarity, tolerance)
SELECT 'bench_s' || i, 'synthetic share ' || i, 'share', 'bench_c1', 100, CASE WHEN i % 2 = 0 THEN -1 ELSE 1 END, 0.5
  FROM generate_series(1, 30) i;
INSERT INTO buurtmonitor.indicators (code, label, kind, denominator, scale, polarity, tolerance)
SELECT 'bench_m' || i, 'synthetic mean ' || i, 'mean', 'bench_c1', 1, 1, 1 FROM generate_series(1, 10) i;

INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
SELECT 'GM' || lpad(g::text, 4, '0'), 2025, 'Gemeente ' || g, 'gemeente', NULL FROM generate_series(1, 340) g;
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
SELECT 'WK' || lpad(g::text, 4, '0') || lpad(w::text, 2, '0'), 2025, 'Wijk ' || g || '-' || w, 'wijk',
       'GM' || lpad(g::text, 4, '0')
  FROM generate_series(1, 340) g, generate_series(1, 9) w;
INSERT INTO buurtmonitor.areas (code, vintage, name, level, parent_code)
SELECT 'BU' || lpad(g::text, 4, '0') || lpad(w::text, 2, '0') || lpad(b::text, 2, '0'), 2025,
       'Buurt ' || g || '-' || w || '-' || b, 'buurt', 'WK' || lpad(g::text, 4, '0') || lpad(w::text, 2, '0')
  FROM generate_series(1, 340) g, generate_series(1, 9) w, generate_series(1, 4) b;

-- one row per area, period, indicator; shares carry numerator/denominator (denominator ~ inhabitants)
CREATE TEMP TABLE base_vals AS
SELECT a.code, i.code AS indicator, i.kind, i.scale,
       CASE i.kind WHEN 'count' THEN 200 + random() * 3000 WHEN 'share' THEN 2 + random() * 30 ELSE 150 + random() * 400 END AS v0,
       (random() - 0.5) * CASE i.kind WHEN 'count' THEN 40 WHEN 'share' THEN 1 ELSE 10 END AS slope,
       500 + random() * 3000 AS den
  FROM buurtmonitor.areas a CROSS JOIN buurtmonitor.indicators i
 WHERE i.code LIKE 'bench\_%';
INSERT INTO buurtmonitor.observations (area_code, vintage, period, indicator, value, numerator, denominator, status, source)
SELECT b.code, 2025, p, b.indicator, v.value,
       CASE WHEN b.kind <> 'count' THEN v.value * b.den / b.scale END,
       CASE WHEN b.kind <> 'count' THEN b.den END, 'observed', 'synthetic'
  FROM base_vals b CROSS JOIN generate_series(2016, 2025) p
 CROSS JOIN LATERAL (SELECT round((b.v0 + b.slope * (p - 2016) + (random() - 0.5) * b.v0 * 0.1)::numeric, 1)::float8 AS value) v;
RESET session_replication_role;
ANALYZE buurtmonitor.areas;
ANALYZE buurtmonitor.observations;
SELECT count(*) AS observations FROM buurtmonitor.observations;
