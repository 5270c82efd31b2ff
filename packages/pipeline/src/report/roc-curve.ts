/** One point of a ROC curve. */
export interface RocPoint {
  fpr: number;
  tpr: number;
  threshold: number;
}

/**
 * The ROC curve of `scores` (P(positive)) against `labels` (1 = positive), one point per distinct
 * score, thinned to at most `maxPoints` while keeping the corners. Ties are handled as a group.
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>, maxPoints = 400): RocPoint[] {
  const count = scores.length;
  const order = Array.from({ length: count }, (_, index) => index).sort((a, b) => scores[b]! - scores[a]! || a - b);
  let positives = 0;
  for (let index = 0; index < count; index += 1) if (labels[index] === 1) positives += 1;
  const negatives = count - positives;
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let tp = 0;
  let fp = 0;
  for (let position = 0; position < count; ) {
    const score = scores[order[position]!]!;
    while (position < count && scores[order[position]!] === score) {
      if (labels[order[position]!] === 1) tp += 1;
      else fp += 1;
      position += 1;
    }
    points.push({ fpr: negatives === 0 ? 0 : fp / negatives, tpr: positives === 0 ? 0 : tp / positives, threshold: score });
  }
  if (points.length <= maxPoints) return points;
  const thinned: RocPoint[] = [];
  const step = (points.length - 1) / (maxPoints - 1);
  for (let index = 0; index < maxPoints; index += 1) thinned.push(points[Math.round(index * step)]!);
  return thinned;
}
