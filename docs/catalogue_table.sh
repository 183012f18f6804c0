#!/usr/bin/env bash
# Regenerate the tables of builtin indicators and aliases in docs/catalogue.md from a
# database where the extension is installed (PGHOST/PGPORT/PGUSER/PGDATABASE as usual):
#   bash docs/catalogue_table.sh
# The text between the <!-- catalogue:begin/end --> and <!-- aliases:begin/end --> markers
# is replaced; everything else in the page is left alone.
set -euo pipefail
page="$(cd "$(dirname "$0")" && pwd)/catalogue.md"

# Tab-separated rows of the builtin catalogue and aliases (tabs and newlines cannot occur in them).
indicators=$(psql -X -At -F $'\t' -c "
    SELECT code, label, theme, coalesce(unit, ''), kind, coalesce(numerator, ''),
           coalesce(denominator, ''), scale, polarity, coalesce(description, '')
      FROM buurtmonitor.indicators WHERE builtin ORDER BY theme, code")
aliases=$(psql -X -At -F $'\t' -c "
    SELECT alias, indicator FROM buurtmonitor.indicator_aliases WHERE builtin ORDER BY indicator, alias")

INDICATORS="$indicators" ALIASES="$aliases" python3 - "$page" <<'EOF'
import os, re, sys

def cell(s):
    # a Markdown table cell: escape the column separator
    return s.replace('|', '\\|')

def table(header, rows):
    out = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    out += ['| ' + ' | '.join(cell(c) for c in r) + ' |' for r in rows]
    return '\n'.join(out)

ind = [l.split('\t') for l in os.environ['INDICATORS'].splitlines() if l]
rows = [['`%s`' % r[0], r[1], r[2], r[3], r[4], r[5] and '`%s`' % r[5], r[6] and '`%s`' % r[6],
         r[7], r[8], r[9]] for r in ind]
ind_md = table(['code', 'label', 'theme', 'unit', 'kind', 'numerator', 'denominator / base',
                'scale', 'polarity', 'notes'], rows)
ali = [l.split('\t') for l in os.environ['ALIASES'].splitlines() if l]
ali_md = table(['alias (column name in a file)', 'indicator'], [['`%s`' % a, '`%s`' % i] for a, i in ali])

path = sys.argv[1]
text = open(path, encoding='utf-8').read()
for name, md in (('catalogue', ind_md), ('aliases', ali_md)):
    text, n = re.subn(r'(<!-- %s:begin -->\n).*?(<!-- %s:end -->)' % (name, name),
                      lambda m: m.group(1) + md + '\n' + m.group(2), text, flags=re.S)
    if n != 1:
        sys.exit('marker %s not found in %s' % (name, path))
open(path, 'w', encoding='utf-8').write(text)
print('%s: %d indicators, %d aliases' % (path, len(ind), len(ali)))
EOF
