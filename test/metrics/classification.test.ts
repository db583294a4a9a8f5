import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accuracy, balancedAccuracy, confusionMatrix, perClassAccuracy } from '../../src/metrics/classification.js';

describe('classification metrics', () => {
  const actual = [0, 0, 1, 1, 1, 2, 2, 2, 2, 3];
  const predicted = [0, 1, 1, 1, 0, 2, 2, 2, 1, 3];

  it('accuracy is the fraction of exact hits', () => {
    assert.equal(accuracy(predicted, actual), 7 / 10);
    assert.equal(accuracy([1, 2, 3], [1, 2, 3]), 1);
    assert.equal(accuracy([1, 2, 3], [0, 0, 0]), 0);
  });

  it('confusion matrix: rows are true classes, columns predictions', () => {
    const cm = confusionMatrix(predicted, actual);
    assert.equal(cm.numClasses, 4);
    assert.deepEqual(Array.from(cm.counts), [1, 1, 0, 0, 1, 2, 0, 0, 0, 1, 3, 0, 0, 0, 0, 1]);
    assert.equal(cm.at(2, 1), 1);
    let total = 0;
    for (const v of cm.counts) total += v;
    assert.equal(total, actual.length);
    // The trace over the total is the accuracy.
    let trace = 0;
    for (let c = 0; c < 4; c++) trace += cm.at(c, c);
    assert.equal(trace / total, accuracy(predicted, actual));
  });

  it('per-class accuracy is recall per true class; absent classes are NaN', () => {
    const pc = perClassAccuracy(predicted, actual, 5);
    assert.deepEqual(Array.from(pc.subarray(0, 4)), [1 / 2, 2 / 3, 3 / 4, 1]);
    assert.ok(Number.isNaN(pc[4]));
    assert.equal(balancedAccuracy(predicted, actual, 5), (1 / 2 + 2 / 3 + 3 / 4 + 1) / 4);
  });

  it('accepts int64 labels from libtorch (BigInt64Array) and typed arrays', () => {
    assert.equal(accuracy(BigInt64Array.from([1n, 2n, 3n]), Int32Array.from([1, 0, 3])), 2 / 3);
    assert.equal(confusionMatrix(BigInt64Array.from([1n]), BigInt64Array.from([1n])).at(1, 1), 1);
  });

  it('rejects mismatched lengths, empty input, bad labels and too few classes', () => {
    assert.throws(() => accuracy([0, 1], [0]), /2 predictions vs 1 true labels/);
    assert.throws(() => accuracy([], []), /no samples/);
    assert.throws(() => accuracy([0, -1], [0, 1]), /label at index 1 is -1/);
    assert.throws(() => accuracy([0.5], [0]), /not a class index/);
    assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), /label 3 is outside 3 classes/);
  });
});
