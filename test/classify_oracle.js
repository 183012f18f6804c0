// Second exact oracle for the fisher method: simple-statistics ckmeans on the same values.
// Args: values.csv (case_, area_code, value) cases.csv (case_, method, classes) out.csv
// Writes case_, classes, area_code, class (1-based) for every fisher case.
const fs = require('fs');
const ss = require('simple-statistics');
const [valuesFile, casesFile, outFile] = process.argv.slice(2);
const rows = (f) => fs.readFileSync(f, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const byCase = new Map();
for (const [c, code, v] of rows(valuesFile)) {
    if (!byCase.has(c)) byCase.set(c, []);
    byCase.get(c).push([code, Number(v)]);
}
const out = ['case_,classes,area_code,class'];
for (const [c, method, k] of rows(casesFile)) {
    if (method !== 'fisher') continue;
    const d = byCase.get(c);
    const nk = Number(k);
    if (new Set(d.map((x) => x[1])).size <= nk) continue;
    const clusters = ss.ckmeans(d.map((x) => x[1]), nk);
    const classOf = new Map();
    clusters.forEach((cl, i) => cl.forEach((v) => classOf.set(v, i + 1)));
    for (const [code, v] of d) out.push(`${c},${nk},${code},${classOf.get(v)}`);
}
fs.writeFileSync(outFile, out.join('\n') + '\n');
