// The build-time chart of BENCHMARKS.md: one row per case, side by side on one scale,
// a bar to the median and a whisker from the fastest to the slowest round. Plain SVG,
// written by the benchmark, no library.
export interface ChartRow {
  label: string;
  values: number[];
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function buildTimeChart(rows: ChartRow[], median: (v: number[]) => number, title: string): string {
  const labelWidth = 230;
  const plotWidth = 440;
  const rowHeight = 26;
  const top = 34;
  const height = top + rows.length * rowHeight + 30;
  const max = Math.max(...rows.flatMap((r) => r.values), 1);
  const step = max > 200 ? 50 : max > 80 ? 20 : 10;
  const scale = (v: number) => labelWidth + (v / (Math.ceil(max / step) * step)) * plotWidth;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 60}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<text x="8" y="18" font-weight="bold">${escape(title)}</text>`,
  ];
  for (let t = 0; t <= Math.ceil(max / step) * step; t += step) {
    const x = scale(t).toFixed(1);
    parts.push(`<line x1="${x}" y1="${top - 6}" x2="${x}" y2="${height - 24}" stroke="#ddd"/>`);
    parts.push(`<text x="${x}" y="${height - 10}" text-anchor="middle" fill="#555">${t} s</text>`);
  }
  rows.forEach((row, i) => {
    const y = top + i * rowHeight;
    const mid = median(row.values);
    const lo = Math.min(...row.values);
    const hi = Math.max(...row.values);
    parts.push(`<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escape(row.label)}</text>`);
    parts.push(`<rect x="${labelWidth}" y="${y + 4}" width="${(scale(mid) - labelWidth).toFixed(1)}" height="16" fill="#4a7fb5"/>`);
    parts.push(`<line x1="${scale(lo).toFixed(1)}" y1="${y + 12}" x2="${scale(hi).toFixed(1)}" y2="${y + 12}" stroke="#222" stroke-width="1.5"/>`);
    parts.push(`<text x="${(scale(hi) + 6).toFixed(1)}" y="${y + 16}" fill="#222">${mid.toFixed(1)} s</text>`);
  });
  parts.push('</svg>', '');
  return parts.join('\n');
}
