/**
 * Degradation-classification metrics over integer label arrays (e.g. argmax of the classifier head
 * against the degradation type that was synthesised). Rows of the confusion matrix are true classes,
 * columns predicted ones (scikit-learn's convention).
 */

/** Labels as plain numbers or int64 (libtorch `argmax` results come back as BigInt64Array). */
export type Labels = ArrayLike<number> | ArrayLike<bigint>;

function toIndex(v: number | bigint, who: string, at: number): number {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`${who}: label at index ${at} is ${String(v)}, not a class index >= 0`);
  return n;
}

function checkPair(predicted: Labels, actual: Labels, who: string): number {
  if (predicted.length !== actual.length) {
    throw new RangeError(`${who}: ${predicted.length} predictions vs ${actual.length} true labels`);
  }
  if (predicted.length === 0) throw new RangeError(`${who}: no samples`);
  return predicted.length;
}

export interface ConfusionMatrix {
  numClasses: number;
  /** numClasses x numClasses counts, row = true class, column = predicted class. */
  counts: Uint32Array;
  /** Count of samples of class `actual` predicted as `predicted`. */
  at(actual: number, predicted: number): number;
}

/**
 * Confusion matrix. `numClasses` defaults to 1 + the largest label seen; labels outside it throw.
 */
export function confusionMatrix(predicted: Labels, actual: Labels, numClasses?: number): ConfusionMatrix {
  const n = checkPair(predicted, actual, 'confusionMatrix');
  const p = new Int32Array(n);
  const a = new Int32Array(n);
  let max = -1;
  for (let i = 0; i < n; i++) {
    p[i] = toIndex(predicted[i] as number | bigint, 'confusionMatrix', i);
    a[i] = toIndex(actual[i] as number | bigint, 'confusionMatrix', i);
    max = Math.max(max, p[i] as number, a[i] as number);
  }
  const k = numClasses ?? max + 1;
  if (!Number.isInteger(k) || k < 1)
    throw new RangeError(`confusionMatrix: numClasses must be a positive integer, got ${k}`);
  if (max >= k) throw new RangeError(`confusionMatrix: label ${max} is outside ${k} classes`);
  const counts = new Uint32Array(k * k);
  for (let i = 0; i < n; i++) {
    const j = (a[i] as number) * k + (p[i] as number);
    counts[j] = (counts[j] as number) + 1;
  }
  return {
    numClasses: k,
    counts,
    at: (actual: number, pred: number) => counts[actual * k + pred] ?? 0,
  };
}

/** Fraction of samples whose predicted label equals the true one. */
export function accuracy(predicted: Labels, actual: Labels): number {
  const n = checkPair(predicted, actual, 'accuracy');
  let hit = 0;
  for (let i = 0; i < n; i++) {
    if (
      toIndex(predicted[i] as number | bigint, 'accuracy', i) === toIndex(actual[i] as number | bigint, 'accuracy', i)
    )
      hit++;
  }
  return hit / n;
}

/**
 * Accuracy within each true class (recall per class). Classes with no samples give NaN, so that an
 * absent class is visible rather than silently counted as 0 or 1.
 */
export function perClassAccuracy(predicted: Labels, actual: Labels, numClasses?: number): Float64Array {
  const cm = confusionMatrix(predicted, actual, numClasses);
  const k = cm.numClasses;
  const out = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let total = 0;
    for (let j = 0; j < k; j++) total += cm.counts[c * k + j] as number;
    out[c] = total ? (cm.counts[c * k + c] as number) / total : Number.NaN;
  }
  return out;
}

/** Mean of the per-class accuracies over classes that have samples (balanced accuracy). */
export function balancedAccuracy(predicted: Labels, actual: Labels, numClasses?: number): number {
  let s = 0;
  let c = 0;
  for (const v of perClassAccuracy(predicted, actual, numClasses)) {
    if (!Number.isNaN(v)) {
      s += v;
      c++;
    }
  }
  return s / c;
}
