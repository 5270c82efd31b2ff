import { describe, expect, it } from 'vitest';
import { featurizeDomain, getFeatureSet } from '@dga/features';
import { classifyBatches, classifyStream, IDN_REASON, NO_LABEL_REASON, type ClassifyRecord, type RowPredictor } from './classify-stream';

/** Scores each row as P(DGA) = length / 100, and records the batch sizes it was called with. */
function lengthModel(size: number): RowPredictor & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    predict(rows) {
      const count = rows.length / size;
      calls.push(count);
      const out = new Float32Array(count * 2);
      for (let row = 0; row < count; row += 1) {
        const p = rows[row * size]! / 100;
        out[row * 2] = 1 - p;
        out[row * 2 + 1] = p;
      }
      return Promise.resolve(out);
    },
  };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('classifyStream', () => {
  it('keeps input order across batches and yields the contract fields', async () => {
    const model = lengthModel(getFeatureSet('extended').size);
    const inputs = ['google.com', 'http://www.bbc.co.uk/news', '!!', 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij.net', 'a.org'];
    const records = await collect(classifyStream(inputs.map((value) => ({ value })), model, { featureSet: 'extended', outputSize: 2, batchSize: 2, threshold: 0.5 }));
    expect(records.map((record) => record.input)).toEqual(inputs);
    expect(model.calls).toEqual([2, 2]);
    const google = featurizeDomain('google.com', { featureSet: 'tutorial' });
    expect(records[0]).toEqual({
      input: 'google.com',
      label: 'google',
      length: 6,
      entropy: google.features[1],
      vowel_proportion: 0.5,
      probability: Math.fround(6 / 100),
      malicious: false,
    });
    expect(records[1]?.label).toBe('bbc');
    expect(records[2]).toMatchObject({ input: '!!', label: null, probability: null, malicious: null });
    expect(records[2]?.error).toMatch(/no registrable label/);
    expect(records[3]?.malicious).toBe(true);
  });

  it('does not score IDN labels: the xn-- label, null scores and the IDN reason, without a model row', async () => {
    const model = lengthModel(getFeatureSet('tutorial').size);
    const inputs = ['bücher.de', 'www.XN--80AK6AA92E.com', 'xn-a.com', 'xn--zz.com', 'abxn--c.com'].map((value) => ({ value }));
    const records = await collect(classifyStream(inputs, model, { featureSet: 'tutorial', outputSize: 2 }));
    expect(model.calls).toEqual([2]);
    expect(records.map((record) => [record.label, record.probability === null, record.error])).toEqual([
      ['xn--bcher-kva', true, IDN_REASON],
      ['xn--80ak6aa92e', true, IDN_REASON],
      ['xn-a', false, undefined],
      [null, true, `${NO_LABEL_REASON}: its label "xn--zz" is not a hostname label: it starts with "xn--" but is not valid punycode`],
      ['abxn--c', false, undefined],
    ]);
    expect(records[0]).toMatchObject({ length: null, entropy: null, vowel_proportion: null, malicious: null });
  });

  it('extracts labels with the PSL rules the model was trained with', async () => {
    const model = lengthModel(getFeatureSet('tutorial').size);
    const inputs = [{ value: 'fizrbzba.dyndns.org' }, { value: 'foo.github.io' }];
    const all = await collect(classifyStream(inputs, model, { featureSet: 'tutorial', outputSize: 2 }));
    const icann = await collect(classifyStream(inputs, model, { featureSet: 'tutorial', outputSize: 2, psl: 'icann' }));
    expect(all.map((record) => record.label)).toEqual(['fizrbzba', 'foo']);
    expect(icann.map((record) => record.label)).toEqual(['dyndns', 'github']);
  });
});

/** An input that the test feeds line by line and keeps open until `end()`, like `tail -f`. */
function trickle(): AsyncIterable<{ value: string }> & { push(value: string): void; end(): void } {
  const queue: { value: string }[] = [];
  let ended = false;
  let waiting: (() => void) | undefined;
  const wakeUp = () => {
    waiting?.();
    waiting = undefined;
  };
  return {
    push(value) {
      queue.push({ value });
      wakeUp();
    },
    end() {
      ended = true;
      wakeUp();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const item = queue.shift();
        if (item !== undefined) yield item;
        else if (ended) return;
        else await new Promise<void>((resolve) => (waiting = resolve));
      }
    },
  };
}

/** A manual clock for the flush timer: `fire()` runs what is due, as if the interval had passed. */
function manualClock(): { schedule: (callback: () => void, delayMs: number) => () => void; fire(): void; active(): number; delays: number[] } {
  const timers = new Set<() => void>();
  const delays: number[] = [];
  return {
    delays,
    schedule(callback, delayMs) {
      delays.push(delayMs);
      timers.add(callback);
      return () => timers.delete(callback);
    },
    fire() {
      const due = [...timers];
      timers.clear();
      for (const callback of due) callback();
    },
    active: () => timers.size,
  };
}

/** What `promise` settled to once every queued callback has run, or 'pending'. */
async function settled<T>(promise: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([promise, new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')))]);
}

describe('classifyBatches', () => {
  const size = getFeatureSet('tutorial').size;

  it('yields the rows read so far when the flush interval passes while the input stays open', async () => {
    const model = lengthModel(size);
    const clock = manualClock();
    const input = trickle();
    const batches = classifyBatches(input, model, { featureSet: 'tutorial', outputSize: 2, batchSize: 4096, flushIntervalMs: 1000, schedule: clock.schedule });
    const first = batches.next();
    input.push('google.com');
    input.push('wikipedia.org');
    expect(await settled(first)).toBe('pending');
    expect(clock.delays).toEqual([1000]);
    clock.fire();
    const records = (await settled(first)) as IteratorYieldResult<ClassifyRecord[]>;
    expect(records.value.map((record) => record.input)).toEqual(['google.com', 'wikipedia.org']);
    expect(model.calls).toEqual([2]);
    // Still open: the next row starts a new interval.
    const second = batches.next();
    input.push('bbc.co.uk');
    expect(await settled(second)).toBe('pending');
    clock.fire();
    expect(((await second).value as ClassifyRecord[]).map((record) => record.label)).toEqual(['bbc']);
    const third = batches.next();
    input.push('xjwqkdo7zlf3qpu.com');
    input.end();
    expect(((await third).value as ClassifyRecord[]).map((record) => record.label)).toEqual(['xjwqkdo7zlf3qpu']);
    expect(await batches.next()).toEqual({ done: true, value: undefined });
    expect(model.calls).toEqual([2, 1, 1]);
    expect(clock.active()).toBe(0);
  });

  it('starts no timer for an idle input and cancels it when a batch fills', async () => {
    const model = lengthModel(size);
    const clock = manualClock();
    const inputs = ['a.com', 'b.com', 'c.com', 'd.com', 'e.com'].map((value) => ({ value }));
    const batches: string[][] = [];
    for await (const batch of classifyBatches(inputs, model, { featureSet: 'tutorial', outputSize: 2, batchSize: 2, schedule: clock.schedule })) {
      batches.push(batch.map((record) => record.label!));
    }
    expect(batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(clock.delays).toEqual([1000, 1000, 1000]);
    expect(clock.active()).toBe(0);
  });

  it('on abort while waiting for input, yields the rows already read, then throws the reason', async () => {
    const model = lengthModel(size);
    const controller = new AbortController();
    const input = trickle();
    const batches = classifyBatches(input, model, { featureSet: 'tutorial', outputSize: 2, signal: controller.signal, schedule: manualClock().schedule });
    const first = batches.next();
    input.push('google.com');
    expect(await settled(first)).toBe('pending');
    const reason = new Error('interrupted');
    controller.abort(reason);
    expect(((await first).value as ClassifyRecord[]).map((record) => record.input)).toEqual(['google.com']);
    await expect(batches.next()).rejects.toBe(reason);
  });

  it('on abort with nothing read, throws the reason although the input never answers', async () => {
    const controller = new AbortController();
    const silent: AsyncIterable<{ value: string }> = { [Symbol.asyncIterator]: () => ({ next: () => new Promise<never>(() => {}) }) };
    const batches = classifyBatches(silent, lengthModel(size), { featureSet: 'tutorial', outputSize: 2, signal: controller.signal });
    const first = batches.next();
    controller.abort(new Error('terminated'));
    await expect(first).rejects.toThrow('terminated');
  });
});
