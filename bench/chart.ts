// A small SVG chart of a bench run (no dependency): for each sized bench's headline figure, (1) its speed
// relative to the same-run baseline at each size, and (2) its throughput at each size, log scale, with the
// baseline's marked. Written by bench/run-all.ts as bench/results/latest.svg.
import { fmt, sizeLabel } from './lib.js';
import type { ResultsFile } from './run-all.js';
import type { Summary } from './summary.js';

const WIDTH = 960;
const PANEL_HEIGHT = 300;
const MARGIN = { top: 56, right: 24, bottom: 64, left: 64 };
const COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#e15759'];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';

const esc = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** 0.213 / 6.3 / 1,385 / 12.4k: short enough to sit above a bar. */
function compact(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const trim = (text: string) => text.replace(/\.0$/, '');
  if (n >= 1_000_000) return `${trim((n / 1e6).toFixed(n >= 1e7 ? 0 : 1))}M`;
  if (n >= 10_000) return `${trim((n / 1000).toFixed(n >= 100_000 ? 0 : 1))}k`;
  if (n >= 100) return Math.round(n).toLocaleString('en-GB');
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(n >= 1 ? 2 : 3);
}

/** Splits text into at most two lines of about `width` characters (the second one cut with an ellipsis). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [''];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (lines[last] === '' || lines[last]!.length + 1 + word.length <= width)
      lines[last] = lines[last] ? `${lines[last]} ${word}` : word;
    else lines.push(word);
  }
  if (lines.length <= 2) return lines;
  const second = lines.slice(1).join(' ');
  return [lines[0]!, second.length > width ? `${second.slice(0, width - 1)}…` : second];
}

/** Headline throughput of a figure and of its baseline: x/s as measured, or items/s for a time over `size` items. */
function throughput(s: Summary): { value: number; baseline: number | null; unit: string } | null {
  if (s.unit.endsWith('/s')) return { value: s.value, baseline: s.baselineValue, unit: s.unit };
  if (s.unit === 'ms' && s.size) {
    const rate = (ms: number) => s.size! / (ms / 1000);
    return {
      value: rate(s.value),
      baseline: s.baselineValue === null ? null : rate(s.baselineValue),
      unit: 'items/s',
    };
  }
  return null;
}

/** 1.0 = as fast as the baseline, whatever the figure's direction. */
const relativeSpeed = (s: Summary) =>
  s.ratio === null ? NaN : s.better === 'higher' ? s.ratio : 1 / s.ratio;

interface Group {
  bench: string;
  bars: Summary[];
}

function groups(results: Summary[]): { groups: Group[]; sizes: number[] } {
  const primary = results.filter((s) => s.primary && s.size !== null && s.ratio !== null);
  const sizes = [...new Set(primary.map((s) => s.size!))].sort((a, b) => a - b);
  const benches = [...new Set(primary.map((s) => s.bench))];
  return {
    sizes,
    groups: benches.map((bench) => ({
      bench,
      bars: primary.filter((s) => s.bench === bench).sort((a, b) => a.size! - b.size!),
    })),
  };
}

function legend(sizes: number[], y: number): string {
  return sizes
    .map((size, i) => {
      const x = WIDTH - MARGIN.right - (sizes.length - i) * 90;
      return `<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/><text x="${x + 18}" y="${y}" font-size="12">${esc(sizeLabel(size))}</text>`;
    })
    .join('');
}

interface Panel {
  title: string;
  subtitle: string;
  /** Value to plot (and its label) for a bar; NaN leaves a gap. */
  bar(s: Summary): { value: number; label: string; marker?: number | null };
  scale: 'linear' | 'log';
  reference?: { value: number; label: string };
  groupNote?(g: Group): string;
}

function panel(top: number, data: { groups: Group[]; sizes: number[] }, p: Panel): string {
  const plot = {
    x: MARGIN.left,
    y: top + MARGIN.top,
    w: WIDTH - MARGIN.left - MARGIN.right,
    h: PANEL_HEIGHT - MARGIN.top - MARGIN.bottom,
  };
  const values = data.groups
    .flatMap((g) => g.bars.flatMap((s) => [p.bar(s).value, p.bar(s).marker ?? NaN]))
    .filter((v) => Number.isFinite(v) && v > 0);
  if (p.reference) values.push(p.reference.value);
  const out: string[] = [
    `<text x="${MARGIN.left}" y="${top + 22}" font-size="15" font-weight="600">${esc(p.title)}</text>`,
    `<text x="${MARGIN.left}" y="${top + 40}" font-size="12" fill="#555">${esc(p.subtitle)}</text>`,
    legend(data.sizes, top + 22),
  ];
  if (values.length === 0) return out.join('');
  let toY: (v: number) => number;
  const ticks: number[] = [];
  if (p.scale === 'log') {
    const lo = Math.floor(Math.log10(Math.min(...values)));
    const hi = Math.ceil(Math.log10(Math.max(...values)) + 0.05);
    toY = (v) => plot.y + plot.h - ((Math.log10(v) - lo) / (hi - lo || 1)) * plot.h;
    for (let e = lo; e <= hi; e++) ticks.push(10 ** e);
  } else {
    const max = Math.max(...values) * 1.15;
    const step = max > 4 ? 1 : max > 2 ? 0.5 : max > 1 ? 0.25 : 0.1;
    toY = (v) => plot.y + plot.h - (v / max) * plot.h;
    for (let v = 0; v <= max + 1e-9; v += step) ticks.push(Number(v.toFixed(2)));
  }
  for (const t of ticks) {
    const y = toY(t);
    const label = t < 1 ? String(Number(t.toFixed(2))) : compact(t);
    out.push(
      `<line x1="${plot.x}" x2="${plot.x + plot.w}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`,
      `<text x="${plot.x - 6}" y="${y + 4}" font-size="11" text-anchor="end" fill="#555">${esc(label)}</text>`,
    );
  }
  const groupWidth = plot.w / Math.max(1, data.groups.length);
  const barWidth = Math.min(48, (groupWidth * 0.75) / Math.max(1, data.sizes.length));
  data.groups.forEach((g, gi) => {
    const left = plot.x + gi * groupWidth + (groupWidth - barWidth * data.sizes.length) / 2;
    for (const s of g.bars) {
      const i = data.sizes.indexOf(s.size!);
      const { value, label, marker } = p.bar(s);
      const x = left + i * barWidth;
      if (Number.isFinite(value) && value > 0) {
        const y = toY(value);
        const title = `${s.bench} ${sizeLabel(s.size!)}: ${label}${s.note ? ` (${s.note})` : ''}`;
        out.push(
          `<rect x="${x + 2}" y="${y}" width="${barWidth - 4}" height="${plot.y + plot.h - y}" fill="${COLOURS[i % COLOURS.length]}"${s.note ? ' fill-opacity="0.6"' : ''}><title>${esc(title)}</title></rect>`,
        );
        // Above the baseline tick rather than through it when the two are close.
        const tick = marker && Number.isFinite(marker) && marker > 0 ? toY(marker) : Infinity;
        const labelY = Math.abs(tick - y) < 14 ? Math.min(y, tick) - 5 : y - 4;
        out.push(
          `<text x="${x + barWidth / 2}" y="${labelY}" font-size="10.5" text-anchor="middle">${esc(label)}${s.note ? '*' : ''}</text>`,
        );
      }
      if (marker && Number.isFinite(marker) && marker > 0) {
        const y = toY(marker);
        out.push(
          `<line x1="${x}" x2="${x + barWidth}" y1="${y}" y2="${y}" stroke="#222" stroke-width="2.5"><title>${esc(`baseline ${compact(marker)}`)}</title></line>`,
        );
      }
    }
    const cx = plot.x + gi * groupWidth + groupWidth / 2;
    out.push(
      `<text x="${cx}" y="${plot.y + plot.h + 18}" font-size="13" text-anchor="middle" font-weight="600">${esc(g.bench)}</text>`,
    );
    const note = p.groupNote?.(g);
    if (note) {
      wrap(note, Math.floor(groupWidth / 6.2)).forEach((line, k) => {
        out.push(
          `<text x="${cx}" y="${plot.y + plot.h + 33 + k * 13}" font-size="11" text-anchor="middle" fill="#555">${esc(line)}</text>`,
        );
      });
    }
  });
  if (p.reference) {
    const y = toY(p.reference.value);
    out.push(
      `<line x1="${plot.x}" x2="${plot.x + plot.w}" y1="${y}" y2="${y}" stroke="#222" stroke-dasharray="6 4"/>`,
      `<text x="${plot.x + plot.w}" y="${y - 5}" font-size="11" text-anchor="end">${esc(p.reference.label)}</text>`,
    );
  }
  out.push(
    `<line x1="${plot.x}" x2="${plot.x + plot.w}" y1="${plot.y + plot.h}" y2="${plot.y + plot.h}" stroke="#999"/>`,
  );
  return out.join('\n');
}

/** The whole SVG document for a run's summaries. `caption` goes at the bottom (date, machine). */
export function renderChart(results: Summary[], caption: string): string {
  const data = groups(results);
  const windowed = results.some((s) => s.primary && s.note);
  const speed = panel(0, data, {
    title: 'Speed relative to the same-run baseline, per bench and size',
    subtitle:
      'Headline figure of each bench; 1.0 = as fast as its baseline (times: baseline time / Herald time). Higher is better.',
    scale: 'linear',
    reference: { value: 1, label: 'baseline = 1.0' },
    bar: (s) => ({ value: relativeSpeed(s), label: compact(relativeSpeed(s)) }),
    groupNote: (g) => (g.bars[0]?.baseline ? `vs ${g.bars[0].baseline}` : ''),
  });
  const rate = panel(PANEL_HEIGHT, data, {
    title: 'Throughput per size (log scale); black tick = the baseline at that size',
    subtitle:
      'Deliveries, posts or messages per second through Herald; feeds: items per second in the main feed rebuild.',
    scale: 'log',
    bar: (s) => {
      const t = throughput(s);
      return t ? { value: t.value, label: compact(t.value), marker: t.baseline } : { value: NaN, label: '' };
    },
    groupNote: (g) => (g.bars[0] ? (throughput(g.bars[0])?.unit ?? '') : ''),
  });
  const height = PANEL_HEIGHT * 2 + (windowed ? 50 : 36);
  const foot = [
    caption,
    ...(windowed
      ? [
          '* time-boxed: the backlog was measured over its first seconds only (the notes in latest.json say how long)',
        ]
      : []),
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT}>`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    speed,
    rate,
    ...foot.map(
      (line, i) =>
        `<text x="${MARGIN.left}" y="${height - 12 - (foot.length - 1 - i) * 14}" font-size="11" fill="#555">${esc(line)}</text>`,
    ),
    '</svg>',
    '',
  ].join('\n');
}

/** The line under the chart: when, where, and how busy the machine was. */
export function chartCaption(run: Pick<ResultsFile, 'at' | 'machine'>): string {
  const m = run.machine;
  return `Herald npm run bench, ${run.at.slice(0, 16).replace('T', ' ')} UTC · ${m.cores} cores (${m.cpu}), Node ${m.node} · load average ${fmt(m.loadAverage.start, 1)} at the start, up to ${fmt(m.loadAverage.max, 1)}`;
}
