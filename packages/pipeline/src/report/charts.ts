import type { TopLevelSpec } from 'vega-lite';

/** Colors shared by every chart: legit blue, DGA orange (color-blind safe pair). */
export const palette = { legit: '#3b73b9', dga: '#e8833a', accent: '#5b5b9f', grid: '#e6e6ee', text: '#2b2b3a' } as const;

const baseConfig = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  background: 'transparent',
  view: { stroke: 'transparent' },
  axis: { labelColor: palette.text, titleColor: palette.text, gridColor: palette.grid, domainColor: '#bbbbc8', tickColor: '#bbbbc8', labelFontSize: 11, titleFontSize: 12, titleFontWeight: 500 },
  legend: { labelColor: palette.text, titleColor: palette.text, labelFontSize: 11, titleFontSize: 12, orient: 'bottom' },
  title: { color: palette.text, fontSize: 14, fontWeight: 600, anchor: 'start' },
} as const;

/** One epoch of training history, as plotted. */
export interface HistoryPoint {
  epoch: number;
  series: string;
  value: number;
}

/** Loss (or accuracy) per epoch, one line per series (train / validation). */
export function historySpec(title: string, yTitle: string, points: readonly HistoryPoint[], zeroToOne: boolean): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 380,
    height: 220,
    config: baseConfig,
    data: { values: points.map((point) => ({ ...point })) },
    mark: { type: 'line', point: { size: 40, filled: true }, strokeWidth: 2.5, interpolate: 'monotone' },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } },
      y: {
        field: 'value',
        type: 'quantitative',
        title: yTitle,
        scale: zeroToOne ? { zero: false, domainMax: 1 } : { zero: false },
      },
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: {
          domain: ['train', 'validation'].filter((series) => points.some((point) => point.series === series)),
          range: [palette.accent, palette.dga],
        },
      },
    },
  };
}

/**
 * The ROC curve on a log-scale false-positive-rate axis (where a SOC picks its operating point),
 * from `floor` (a false-positive rate of 0 is drawn at `floor`) to 1, with the chance line, dashed
 * rules at the `marks` (e.g. 0.1 % and 1 %) and the AUC in the title.
 */
export function rocSpec(points: readonly { fpr: number; tpr: number }[], auc: number, options: { floor: number; marks: readonly number[] }): TopLevelSpec {
  const { floor, marks } = options;
  const chance: { fpr: number; tpr: number }[] = [];
  for (let exponent = Math.log10(floor); exponent < 0; exponent += 0.25) chance.push({ fpr: 10 ** exponent, tpr: 10 ** exponent });
  chance.push({ fpr: 1, tpr: 1 });
  const x = { field: 'fpr', type: 'quantitative' as const, title: 'false positive rate (log scale)', scale: { type: 'log' as const, domain: [floor, 1] }, axis: { format: '~%' } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `ROC curve (AUC ${auc.toFixed(4)})`,
    width: 300,
    height: 300,
    config: baseConfig,
    layer: [
      {
        data: { values: chance },
        mark: { type: 'line', strokeDash: [4, 4], color: '#a0a0b0', strokeWidth: 1 },
        encoding: { x, y: { field: 'tpr', type: 'quantitative' } },
      },
      {
        data: { values: marks.map((fpr) => ({ fpr })) },
        mark: { type: 'rule', strokeDash: [2, 3], color: palette.dga, strokeWidth: 1 },
        encoding: { x },
      },
      {
        data: { values: points.map((point) => ({ fpr: Math.max(point.fpr, floor), tpr: point.tpr })) },
        mark: { type: 'line', color: palette.accent, strokeWidth: 2.5, interpolate: 'step-after' },
        encoding: {
          x,
          y: { field: 'tpr', type: 'quantitative', title: 'true positive rate (recall)', scale: { domain: [0, 1] } },
          order: { field: 'fpr', type: 'quantitative' },
        },
      },
    ],
  };
}

/** The 2×2 confusion matrix as a heatmap with counts. */
export function confusionSpec(confusion: { tp: number; fp: number; tn: number; fn: number }): TopLevelSpec {
  const total = confusion.tp + confusion.fp + confusion.tn + confusion.fn;
  const cell = (actual: string, predicted: string, count: number) => ({
    actual,
    predicted,
    count,
    text: `${count.toLocaleString('en-US')}`,
    share: total === 0 ? '' : `${((100 * count) / total).toFixed(1)}%`,
    correct: actual === predicted,
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Confusion matrix (held-out)',
    width: 260,
    height: 260,
    config: baseConfig,
    data: {
      values: [
        cell('legit', 'legit', confusion.tn),
        cell('legit', 'DGA', confusion.fp),
        cell('DGA', 'legit', confusion.fn),
        cell('DGA', 'DGA', confusion.tp),
      ],
    },
    encoding: {
      x: { field: 'predicted', type: 'nominal', title: 'predicted', sort: ['legit', 'DGA'], axis: { labelAngle: 0, orient: 'top' } },
      y: { field: 'actual', type: 'nominal', title: 'actual', sort: ['legit', 'DGA'] },
    },
    layer: [
      {
        mark: { type: 'rect', cornerRadius: 4, stroke: 'white', strokeWidth: 3 },
        encoding: {
          color: {
            condition: { test: 'datum.correct', field: 'count', type: 'quantitative', scale: { range: ['#6d8fd0', '#1f4e9a'] }, legend: null },
            value: '#f6c7a6',
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 20, fontWeight: 600, dy: -8 },
        encoding: { text: { field: 'text' }, color: { condition: { test: 'datum.correct', value: 'white' }, value: palette.text } },
      },
      {
        mark: { type: 'text', fontSize: 12, dy: 14 },
        encoding: { text: { field: 'share' }, color: { condition: { test: 'datum.correct', value: '#e8ecff' }, value: '#555566' } },
      },
    ],
  };
}

/** Recall per DGA family, best first, with the held-out count of each. */
export function familySpec(families: readonly { family: string; recall: number; count: number }[], title = 'Recall per DGA family (held-out)'): TopLevelSpec {
  const rows = families.map((entry) => ({ ...entry, label: `${(entry.recall * 100).toFixed(1)}%  (n=${entry.count})` }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: { step: 16 },
    config: baseConfig,
    data: { values: rows },
    encoding: {
      y: { field: 'family', type: 'nominal', title: null, sort: { field: 'recall', order: 'descending' } },
      x: { field: 'recall', type: 'quantitative', title: 'recall', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
    },
    layer: [
      {
        mark: { type: 'bar', cornerRadiusEnd: 3, height: { band: 0.75 } },
        encoding: {
          color: { field: 'recall', type: 'quantitative', scale: { domain: [0, 0.5, 1], range: ['#d9534f', '#f0ad4e', '#3b9a5a'] }, legend: null },
        },
      },
      { mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 }, encoding: { text: { field: 'label' }, x: { value: 424 }, color: { value: '#555566' } } },
    ],
  };
}

/** Histograms of one feature for legit and DGA labels, overlaid, as shares of each class. */
export function distributionSpec(feature: string, values: { legit: readonly number[]; dga: readonly number[] }): TopLevelSpec {
  const rows: { value: number; class: string }[] = [];
  for (const value of values.legit) rows.push({ value, class: 'legit' });
  for (const value of values.dga) rows.push({ value, class: 'DGA' });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: feature,
    width: 260,
    height: 160,
    config: baseConfig,
    data: { values: rows },
    transform: [
      { bin: { maxbins: 30 }, field: 'value', as: ['bin_start', 'bin_end'] },
      { aggregate: [{ op: 'count', as: 'count' }], groupby: ['class', 'bin_start', 'bin_end'] },
      { joinaggregate: [{ op: 'sum', field: 'count', as: 'classTotal' }], groupby: ['class'] },
      { calculate: 'datum.count / datum.classTotal', as: 'share' },
    ],
    mark: { type: 'bar', opacity: 0.6, binSpacing: 0 },
    encoding: {
      x: { field: 'bin_start', type: 'quantitative', bin: { binned: true }, title: feature },
      x2: { field: 'bin_end' },
      y: { field: 'share', type: 'quantitative', title: 'share of class', stack: null, axis: { format: '.0%' } },
      color: { field: 'class', type: 'nominal', title: null, scale: { domain: ['legit', 'DGA'], range: [palette.legit, palette.dga] } },
    },
  };
}

/**
 * Renders a Vega-Lite spec to a standalone SVG string in Node (Vega-Lite → Vega → SVG, no
 * browser, no network). Loaded lazily so nothing else pays for Vega.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [{ compile }, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
