#!/usr/bin/env python3
"""Independent oracle for buurtmonitor.rollup on the real Utrecht province file.

Reads utrecht/kwb2022_leefbaarometer2020_ses.csv with the csv module only and rolls every
column up to the wijken (buurt code characters 3-8) and the gemeenten (characters 3-6) by the
rules of docs/rollup.md, written out here from the documentation, not from the SQL:
  counts summed over the buurten with a value, coverage = share of buurten with a value;
  shares and means: sum(v * w) / sum(w) over the buurten with a value, w = the base column,
  coverage = sum(w over those) / sum(w over all buurten); a base absent from the file leaves
  every weight unknown: value and coverage empty.
Writes CSV to stdout: level, area_code, indicator, value, n_parts, n_missing, coverage, partial.
Usage: rollup_oracle.py DATADIR
"""
import csv
import sys
from collections import defaultdict

# column -> (catalogue code, kind, base column or None when the base is not in the file)
INHABITANTS, DWELLINGS = 'aantal_inwoners', 'woningvoorraad'
RULES = {
    'aantal_inwoners': ('a_inw', 'count', None),
    'woningvoorraad': ('a_woning', 'count', None),
    'aantal_inwoners_tussen_25_44_percentage': ('p_25_44', 'share', INHABITANTS),
    'aantal_huishoudens_met_kinderen_percentage': ('p_hh_m_k', 'share', 'a_hh'),
    'gemiddelde_huishoudensgrootte': ('g_hhgro', 'mean', 'a_hh'),
    'gemiddelde_woningwaarde': ('g_wozbag', 'mean', DWELLINGS),
    'meergezinswoning_percentage': ('p_mgezw', 'share', DWELLINGS),
    'bewoond_percentage': ('p_bewndw', 'share', DWELLINGS),
    'koopwoning_percentage': ('p_koopw', 'share', DWELLINGS),
    'bouwjaar_vanaf_2000_percentage': ('p_bjo2k', 'share', DWELLINGS),
    'afstand_tot_ziekenhuis_km': ('g_afs_zh', 'mean', INHABITANTS),
    'afstand_tot_grote_supermarkt_km': ('g_afs_gs', 'mean', INHABITANTS),
    'afstand_tot_cafe_km': ('g_afs_ca', 'mean', INHABITANTS),
    'afstand_tot_kinderdagverblijf_km': ('g_afs_kv', 'mean', INHABITANTS),
    'afstand_tot_buitenschoolseopvang_km': ('g_afs_bso', 'mean', INHABITANTS),
    'afstand_tot_openbaar_groen_km': ('g_afs_og', 'mean', INHABITANTS),
    'afstand_tot_park_of_plantsoen_km': ('g_afs_pp', 'mean', INHABITANTS),
    'afstand_tot_bos_km': ('g_afs_bos', 'mean', INHABITANTS),
    'afstand_tot_hoofdverkeersweg_km': ('g_afs_hvw', 'mean', INHABITANTS),
    'afstand_tot_treinstation_km': ('g_afs_ts', 'mean', INHABITANTS),
    'AfstandTotSemiOpenbaarGroenTotaal_83': ('g_afs_sog', 'mean', INHABITANTS),
    'leefbarometer_score': ('lbm_score', 'score', INHABITANTS),
    'leefbarometer_fysieke_omgeving': ('lbm_fys', 'score', INHABITANTS),
    'leefbarometer_fysieke_overlast': ('lbm_onv', 'score', INHABITANTS),
    'leefbarometer_sociale_samenhang': ('lbm_soc', 'score', INHABITANTS),
    'leefbarometer_voorzieningen': ('lbm_vrz', 'score', INHABITANTS),
    'aardgasverbruik_m3_gemiddeld': ('g_gas', 'mean', DWELLINGS),
    'elektriciteitsverbruik_kwh_gemiddeld': ('g_ele', 'mean', DWELLINGS),
    'social_economische_score_gemiddeld': ('ses_woa', 'score', 'a_hh'),
    'geluid_van_treinverkeer': ('geluid_trein', 'mean', INHABITANTS),
    'geluid_van_weg': ('geluid_weg', 'mean', INHABITANTS),
}


def num(s):
    """A cell as a float, or None when empty (suppressed)."""
    return float(s) if s != '' else None


def roll(parts, col):
    """(value, n_missing, coverage) of one column over the rows of one area's buurten."""
    code, kind, base = RULES[col]
    n = len(parts)
    if kind == 'count':
        vals = [num(r[col]) for r in parts if r[col] != '']
        total = sum(vals) if vals else None
        return total, n - len(vals), len(vals) / n
    if base not in parts[0]:
        return None, n, None          # the base is not in the file: no weight is known
    used = [(num(r[col]), num(r[base])) for r in parts if r[col] != '' and r[base] != '']
    w_used = sum(w for _, w in used)
    w_all = sum(num(r[base]) for r in parts) if all(r[base] != '' for r in parts) else None
    value = sum(v * w for v, w in used) / w_used if w_used > 0 else None
    coverage = w_used / w_all if w_all else None
    return value, n - len(used), coverage


def main():
    rows = list(csv.DictReader(open(sys.argv[1] + '/utrecht/kwb2022_leefbaarometer2020_ses.csv')))
    out = csv.writer(sys.stdout)
    out.writerow(['level', 'area_code', 'indicator', 'value', 'n_parts', 'n_missing', 'coverage', 'partial'])
    for level, prefix, width in (('wijk', 'WK', 6), ('gemeente', 'GM', 4)):
        areas = defaultdict(list)
        for r in rows:
            areas[prefix + r['buurt_code'][2:2 + width]].append(r)
        for code, parts in sorted(areas.items()):
            for col, (ind, _, _) in RULES.items():
                value, missing, coverage = roll(parts, col)
                out.writerow([level, code, ind, '' if value is None else repr(value), len(parts), missing,
                              '' if coverage is None else repr(coverage), 't' if missing > 0 else 'f'])


if __name__ == '__main__':
    main()
