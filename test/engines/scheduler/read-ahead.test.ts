import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ReadAhead } from "../../../engines/scheduler/read-ahead.ts";

/** A source that records how far it was read and can hold each `next()` until released. */
function recordingSource(count: number, options: { failAt?: number; hold?: boolean } = {}) {
  const state = { pulls: 0, returned: false, release: [] as Array<() => void> };
  const source: AsyncIterator<number> = {
    next: () => {
      const index = state.pulls;
      state.pulls += 1;
      const settle = (): IteratorResult<number> => {
        if (options.failAt === index) throw new Error(`failed at ${index}`);
        return index < count ? { done: false, value: index } : { done: true, value: undefined };
      };
      if (options.hold !== true) return Promise.resolve().then(settle);
      return new Promise((resolve, reject) =>
        state.release.push(() => {
          try {
            resolve(settle());
          } catch (error) {
            reject(error);
          }
        }),
      );
    },
    return: async () => {
      state.returned = true;
      return { done: true, value: undefined };
    },
  };
  return { source, state };
}

const settleTurns = () => new Promise((resolve) => setImmediate(resolve));

async function readAll<T>(iterator: AsyncIterator<T>): Promise<T[]> {
  const values: T[] = [];
  for (;;) {
    const step = await iterator.next();
    if (step.done === true) return values;
    values.push(step.value);
  }
}

describe("ReadAhead", () => {
  it("reads the source ahead of the reader, up to its capacity and no further", async () => {
    const { source, state } = recordingSource(100);
    const reader = new ReadAhead(source, 4);
    await settleTurns();
    assert.equal(state.pulls, 4, "four events read before anyone asked");
    assert.equal(reader.buffered, 4);
    assert.deepEqual(await reader.next(), { done: false, value: 0 });
    await settleTurns();
    assert.equal(state.pulls, 5, "taking one event lets it read one more");
  });

  it("starts reading the next event as soon as the previous one arrives, while the reader is busy", async () => {
    const { source, state } = recordingSource(3, { hold: true });
    const reader = new ReadAhead(source, 8);
    assert.equal(state.pulls, 1);
    state.release.shift()?.();
    await settleTurns();
    // Nobody has called next(): the second pull is already waiting on the source.
    assert.equal(state.pulls, 2);
    while (state.release.length > 0) {
      state.release.shift()?.();
      await settleTurns();
    }
    assert.deepEqual(await readAll(reader), [0, 1, 2]);
  });

  it("delivers every event in order, then done", async () => {
    const { source } = recordingSource(50);
    assert.deepEqual(await readAll(new ReadAhead(source, 3)), Array.from({ length: 50 }, (_, index) => index));
  });

  it("answers a reader that waits as soon as an event arrives", async () => {
    const { source, state } = recordingSource(1, { hold: true });
    const reader = new ReadAhead(source, 2);
    const pending = reader.next();
    state.release.shift()?.();
    assert.deepEqual(await pending, { done: false, value: 0 });
  });

  it("delivers the events read before a failure, then the failure", async () => {
    const { source } = recordingSource(10, { failAt: 3 });
    const reader = new ReadAhead(source, 8);
    await settleTurns();
    assert.deepEqual([(await reader.next()).value, (await reader.next()).value, (await reader.next()).value], [0, 1, 2]);
    await assert.rejects(reader.next(), /failed at 3/);
    assert.deepEqual(await reader.next(), { done: true, value: undefined });
  });

  it("return() drops what was read, ends the source and answers a waiting reader with done", async () => {
    const { source, state } = recordingSource(10, { hold: true });
    const reader = new ReadAhead(source, 2);
    const pending = reader.next();
    await reader.return();
    assert.deepEqual(await pending, { done: true, value: undefined });
    assert.equal(state.returned, true);
    state.release.shift()?.();
    await settleTurns();
    assert.deepEqual(await reader.next(), { done: true, value: undefined });
    assert.equal(state.pulls, 1, "nothing read after return()");
  });

  it("turns a source that throws instead of rejecting into a failed read", async () => {
    const reader = new ReadAhead<number>(
      {
        next: () => {
          throw new Error("thrown");
        },
      },
      2,
    );
    await assert.rejects(reader.next(), /thrown/);
  });

  it("refuses a capacity below 1", () => {
    assert.throws(() => new ReadAhead(recordingSource(1).source, 0), RangeError);
  });
});
