import { confusionSpec, distributionSpec, familySpec, historySpec, palette, renderSvg, rocSpec, type HistoryPoint } from './charts';
import type { FamilyHoldoutResult, OperatingPoint } from '@dga/model';
import type { RocPoint } from './roc-curve';

/** Everything the HTML report shows. No clock: the same run gives the same bytes. */
export interface ReportData {
  title: string;
  /** e.g. `dga 0.1.0 · @dga/model 0.1.0`. */
  producedBy: string;
  summary: {
    preset: string;
    featureSet: string;
    seed: number;
    epochs: number;
    /** The epoch whose weights were kept (early stopping restores the best). */
    bestEpoch: number;
    batchSize: number | undefined;
    backend: string;
    backendReason: string;
    dataset: string;
    datasetRows: number;
    /** What reading the dataset skipped (by reason) and how labels were found. */
    read: { skipped: number; skippedByReason: Readonly<Record<string, number>>; labelDisagreements: number; labelsFromDomain: number };
    split: Readonly<Record<string, number>>;
    trainSeconds: number;
  };
  metrics: {
    accuracy: number;
    precision: number;
    recall: number;
    f1: number;
    rocAuc: number;
    threshold: number;
    confusion: { tp: number; fp: number; tn: number; fn: number };
    perFamily: Readonly<Record<string, { count: number; recall: number }>>;
    /** TPR and threshold at fixed false-positive rates (0.1 %, 1 %). */
    operatingPoints: readonly OperatingPoint[];
    /** The validation false-positive rate `threshold` was chosen for; null when given. */
    targetFpr: number | null;
  };
  /** How the recipe does on DGA families it never saw, or why that was skipped. */
  familyHoldout: FamilyHoldoutResult;
  history: readonly HistoryPoint[];
  roc: readonly RocPoint[];
  features: readonly { feature: string; legit: readonly number[]; dga: readonly number[] }[];
  parity: { rows: number; maxAbsDiff: number };
  samples: readonly { input: string; label: string; probability: number; malicious: boolean }[];
  query: string;
  artifacts: readonly { file: string; description: string }[];
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

const percent = (value: number) => `${(value * 100).toFixed(2)}%`;
const rate = (value: number) => `${Number((value * 100).toPrecision(3))} %`;
const orDash = (value: number | null, format: (value: number) => string) => (value === null ? '–' : format(value));

/** TPR at the operating point of `targetFpr`, or a dash. */
function tprAt(points: readonly OperatingPoint[], targetFpr: number): string {
  return orDash(points.find((point) => point.targetFpr === targetFpr)?.tpr ?? null, percent);
}

/** The family-held-out section: pooled figures, one row per fold, recall per family; or the stated skip. */
function holdoutSection(holdout: FamilyHoldoutResult, familySvg: string | undefined): string {
  if (holdout.status === 'skipped') {
    return `<section>\n<h2>Family-held-out evaluation</h2>\n<p>Skipped: ${escapeHtml(holdout.reason)}.</p>\n</section>`;
  }
  const { pooled, protocol } = holdout;
  const foldRows = holdout.folds
    .map(
      (fold) =>
        `<tr><td class="num">${fold.fold}</td><td>${escapeHtml(fold.families.join(', '))}</td><td class="num">${fold.rows.dga.toLocaleString('en-US')}</td><td class="num">${fold.rows.legit.toLocaleString('en-US')}</td><td class="num">${orDash(fold.rocAuc, (value) => value.toFixed(4))}</td><td class="num">${tprAt(fold.operatingPoints, 0.001)}</td><td class="num">${tprAt(fold.operatingPoints, 0.01)}</td><td class="num">${fold.threshold.toFixed(4)}</td></tr>`,
    )
    .join('\n');
  const weakest = Object.entries(holdout.perFamily)
    .sort((a, b) => a[1].recall - b[1].recall || a[0].localeCompare(b[0]))
    .slice(0, 5)
    .map(([family, value]) => `${family} ${percent(value.recall)}`)
    .join(', ');
  const sampling = `${protocol.maxTrainRowsPerFamily === null ? 'all rows' : `at most ${protocol.maxTrainRowsPerFamily.toLocaleString('en-US')} rows`} per training family, ${rate(protocol.legitTrainFraction)} of the training legit labels`;
  return `<section>
<h2>Family-held-out evaluation</h2>
<p class="note">${escapeHtml(
    `How the recipe does on DGA families it never saw: ${protocol.folds} folds, each trained (${protocol.epochs} epochs, ${sampling}, seed ${protocol.seed}) without a group of families and scored on them against legit labels it never saw. Pooled: every family and legit label scored once. Thresholds per fold ${protocol.targetFpr === null ? 'as given' : `at ${rate(protocol.targetFpr)} validation false-positive rate`}.`,
  )}</p>
<div class="cards inline">
${card('held-out families AUC', orDash(pooled.rocAuc, (value) => value.toFixed(4)), `${pooled.rows.dga.toLocaleString('en-US')} DGA, ${pooled.rows.legit.toLocaleString('en-US')} legit rows`)}
${card('TPR at 0.1 % FPR', tprAt(pooled.operatingPoints, 0.001), 'pooled over folds')}
${card('TPR at 1 % FPR', tprAt(pooled.operatingPoints, 0.01), 'pooled over folds')}
</div>
<table><thead><tr><th>fold</th><th>held-out families</th><th>DGA rows</th><th>legit rows</th><th>ROC AUC</th><th>TPR @ 0.1 %</th><th>TPR @ 1 %</th><th>threshold</th></tr></thead>
<tbody>
${foldRows}
</tbody></table>
${familySvg === undefined ? '' : `<div class="charts">${figure(familySvg, `Share of each unseen family's labels flagged at its fold's threshold. Weakest: ${weakest}.`)}</div>`}
</section>`;
}

function card(label: string, value: string, note = ''): string {
  return `<div class="card"><div class="card-label">${escapeHtml(label)}</div><div class="card-value">${escapeHtml(value)}</div>${
    note === '' ? '' : `<div class="card-note">${escapeHtml(note)}</div>`
  }</div>`;
}

function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

/** The page's style sheet: system fonts, the report palette, no external resource. */
const styleSheet: string = `:root { --text: ${palette.text}; --muted: #666677; --line: #e3e3ec; --legit: ${palette.legit}; --dga: ${palette.dga}; --accent: ${palette.accent}; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--text); background: #f7f7fb; }
header { background: linear-gradient(120deg, #2d2d5a, #5b5b9f); color: white; padding: 28px 40px 24px; }
header h1 { margin: 0 0 4px; font-size: 26px; font-weight: 650; }
header p { margin: 0; opacity: .85; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 40px 48px; }
section { background: white; border: 1px solid var(--line); border-radius: 12px; padding: 20px 24px; margin: 0 0 20px; }
h2 { font-size: 17px; margin: 0 0 12px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin: -44px 0 20px; }
.card { background: white; border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px; box-shadow: 0 2px 8px rgba(40,40,90,.06); }
.card-label { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
.card-value { font-size: 26px; font-weight: 650; font-variant-numeric: tabular-nums; }
.card-note { font-size: 12px; color: var(--muted); }
.charts { display: flex; flex-wrap: wrap; gap: 16px 28px; align-items: flex-start; }
figure { margin: 0; }
figcaption { font-size: 12px; color: var(--muted); max-width: 420px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
td, th { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.verdict { font-weight: 650; }
td.verdict.dga { color: var(--dga); }
td.verdict.legit { color: var(--legit); }
pre { background: #23233a; color: #f0f0ff; padding: 14px 16px; border-radius: 8px; overflow-x: auto; font-size: 13px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
.note { color: var(--muted); font-size: 13px; }
.cards.inline { margin: 12px 0; }
`;

/**
 * Renders the self-contained `report.html`: metric cards (with TPR at 0.1 % and 1 % FPR), loss
 * and accuracy per epoch, ROC curve (log-scale FPR), confusion matrix, recall per DGA family, the
 * family-held-out evaluation (or why it was skipped), feature distributions (legit vs DGA), sample
 * classifications, the Devo query and the artifacts. Charts are inline SVG rendered in Node; the
 * page loads nothing from the network.
 */
export async function renderReport(data: ReportData): Promise<string> {
  const lossPoints = data.history.filter((point) => point.series.endsWith('loss')).map((point) => ({
    ...point,
    series: point.series.startsWith('val') ? 'validation' : 'train',
  }));
  const accuracyPoints = data.history.filter((point) => point.series.endsWith('accuracy')).map((point) => ({
    ...point,
    series: point.series.startsWith('val') ? 'validation' : 'train',
  }));
  const families = Object.entries(data.metrics.perFamily)
    .filter(([family]) => family !== 'legit')
    .map(([family, value]) => ({ family, recall: value.recall, count: value.count }));
  const negatives = data.metrics.confusion.fp + data.metrics.confusion.tn;
  // The log axis starts one decade below the smallest non-zero false-positive rate the rows allow.
  const floor = Math.max(1e-6, 10 ** Math.floor(Math.log10(1 / Math.max(negatives, 1)) - 0.0001));
  const holdout = data.familyHoldout;
  const holdoutFamilies = holdout.status === 'done' ? Object.entries(holdout.perFamily).map(([family, value]) => ({ family, recall: value.recall, count: value.count })) : [];
  const [lossSvg, accuracySvg, rocSvg, confusionSvg, familySvg, holdoutSvg, ...featureSvgs] = await Promise.all([
    renderSvg(historySpec('Loss per epoch', 'binary cross-entropy', lossPoints, false)),
    renderSvg(historySpec('Accuracy per epoch', 'accuracy', accuracyPoints, true)),
    renderSvg(rocSpec(data.roc, data.metrics.rocAuc, { floor, marks: data.metrics.operatingPoints.map((point) => point.targetFpr) })),
    renderSvg(confusionSpec(data.metrics.confusion)),
    renderSvg(familySpec(families)),
    holdoutFamilies.length === 0 ? Promise.resolve(undefined) : renderSvg(familySpec(holdoutFamilies, 'Recall per unseen DGA family (family-held-out)')),
    ...data.features.map((feature) => renderSvg(distributionSpec(feature.feature, feature))),
  ]);
  const { summary, metrics } = data;
  const splitText = Object.entries(summary.split)
    .map(([name, count]) => `${name} ${count.toLocaleString('en-US')}`)
    .join(' · ');
  const reasons = Object.entries(summary.read.skippedByReason).sort(([a], [b]) => a.localeCompare(b));
  const skippedText =
    summary.read.skipped === 0
      ? 'none'
      : `${summary.read.skipped.toLocaleString('en-US')} (${reasons.map(([reason, count]) => `${reason} ${count.toLocaleString('en-US')}`).join(', ')})`;
  const weakest = [...families].sort((a, b) => a.recall - b.recall).slice(0, 3);
  const sampleRows = data.samples
    .map(
      (sample) =>
        `<tr><td class="verdict ${sample.malicious ? 'dga' : 'legit'}">${sample.malicious ? 'DGA' : 'legit'}</td><td class="num">${sample.probability.toFixed(4)}</td><td><code>${escapeHtml(sample.label)}</code></td><td><code>${escapeHtml(sample.input)}</code></td></tr>`,
    )
    .join('\n');
  const artifactRows = data.artifacts
    .map((artifact) => `<tr><td><code>${escapeHtml(artifact.file)}</code></td><td>${escapeHtml(artifact.description)}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(data.producedBy)}">
<title>${escapeHtml(data.title)}</title>
<style>
${styleSheet}</style>
</head>
<body>
<header>
<h1>${escapeHtml(data.title)}</h1>
<p>${escapeHtml(`preset ${summary.preset} · feature set ${summary.featureSet} · seed ${summary.seed} · ${summary.epochs} epochs${summary.bestEpoch !== summary.epochs ? ` (weights of epoch ${summary.bestEpoch} kept)` : ''} · tfjs backend ${summary.backend}`)}</p>
</header>
<main>
<div class="cards">
${card('accuracy', percent(metrics.accuracy), `at threshold ${metrics.threshold.toFixed(4)}${metrics.targetFpr === null ? '' : ` (${rate(metrics.targetFpr)} validation FPR)`}`)}
${card('precision', percent(metrics.precision), 'of DGA verdicts')}
${card('recall', percent(metrics.recall), 'of DGA labels caught')}
${card('F1', metrics.f1.toFixed(4))}
${card('ROC AUC', metrics.rocAuc.toFixed(4))}
${metrics.operatingPoints.map((point) => card(`TPR at ${rate(point.targetFpr)} FPR`, orDash(point.tpr, percent), point.threshold === null ? 'no threshold reaches it' : `threshold ${point.threshold.toFixed(4)}`)).join('\n')}
${card('ONNX parity', data.parity.maxAbsDiff.toExponential(1), `max |tfjs − ONNX| over ${data.parity.rows} rows`)}
</div>
<section>
<h2>Training</h2>
<div class="charts">
${figure(lossSvg, 'Binary cross-entropy on the training and validation splits after each epoch. Validation rising while training falls means overfitting.')}
${figure(accuracySvg, 'Share of labels classified correctly at threshold 0.5 after each epoch.')}
</div>
</section>
<section>
<h2>Held-out evaluation</h2>
<div class="charts">
${figure(rocSvg, 'Each point is one threshold: the share of DGA labels caught against the share of legit labels flagged, on a log scale where a SOC picks its operating point (dashed: 0.1 % and 1 %). The higher at the left, the better.')}
${figure(confusionSvg, `Counts on the held-out split at threshold ${metrics.threshold.toFixed(4)}. Off-diagonal cells are mistakes: legit flagged as DGA (false positives) and DGA missed (false negatives).`)}
</div>
</section>
<section>
<h2>Recall per DGA family</h2>
<div class="charts">
${figure(familySvg, `Share of each family's held-out labels classified as DGA. Weakest: ${weakest.map((entry) => `${entry.family} ${percent(entry.recall)}`).join(', ') || 'none'}. Families with few labels give noisy figures.`)}
</div>
</section>
${holdoutSection(holdout, holdoutSvg)}
<section>
<h2>Feature distributions</h2>
<div class="charts">
${featureSvgs.map((svg, index) => figure(svg, `Share of legit and DGA labels per bin of ${data.features[index]!.feature}.`)).join('\n')}
</div>
</section>
<section>
<h2>Sample classifications (ONNX model)</h2>
<table><thead><tr><th>verdict</th><th>P(DGA)</th><th>label</th><th>input</th></tr></thead>
<tbody>
${sampleRows}
</tbody></table>
</section>
<section>
<h2>Run in Devo</h2>
<p class="note">The corrected classification query: the label (not the whole host) is featurized, every feature reaches <code>mlevalmodel</code> in the model's order, and <code>dga_probability</code> is P(DGA). Labels that classification refuses and IDN labels (<code>xn--</code>, not scored) never reach the model and get no row.</p>
<pre><code>${escapeHtml(data.query)}</code></pre>
</section>
<section>
<h2>Run</h2>
<dl>
<dt>dataset</dt><dd><code>${escapeHtml(summary.dataset)}</code> (${summary.datasetRows.toLocaleString('en-US')} rows)</dd>
<dt>skipped lines</dt><dd>${escapeHtml(skippedText)}</dd>
<dt>not scored</dt><dd>${escapeHtml(`${(summary.read.skippedByReason['idn-label'] ?? 0).toLocaleString('en-US')} rows with an IDN label (xn--, counted above as idn-label): classify and the Devo query do not score IDN labels (ADR 0011), so they are left out of training and every metric in this report is over scored rows only`)}</dd>
<dt>labels</dt><dd>${escapeHtml(`computed from the host as classification does; ${summary.read.labelDisagreements.toLocaleString('en-US')} differ from the domain column, ${summary.read.labelsFromDomain.toLocaleString('en-US')} taken from it (host gave none)`)}</dd>
<dt>split</dt><dd>${escapeHtml(splitText)}</dd>
<dt>training time</dt><dd>${summary.trainSeconds.toFixed(1)} s</dd>
<dt>batch size</dt><dd>${summary.batchSize ?? 'preset default'}</dd>
<dt>tfjs backend</dt><dd>${escapeHtml(summary.backend)}: ${escapeHtml(summary.backendReason)}</dd>
<dt>produced by</dt><dd>${escapeHtml(data.producedBy)}</dd>
</dl>
<h2 style="margin-top:18px">Artifacts</h2>
<table><tbody>
${artifactRows}
</tbody></table>
</section>
</main>
</body>
</html>
`;
}
