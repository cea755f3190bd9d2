import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { drainStreams, type DrainableStreams } from "../../../platform/lifecycle/drain-streams.ts";
import { RunningSet } from "../../../platform/lifecycle/running-set.ts";

/** A FAKE transport for the drain's logic: streams are tokens in a `RunningSet`, ended by the test. */
class FakeTransport implements DrainableStreams {
  readonly running = new RunningSet<string>();
  accepting = true;
  /** Streams ended by `close` (the retryable signal), in order. */
  readonly cut: string[] = [];

  stopAccepting(): void {
    this.accepting = false;
  }

  whenIdle(): Promise<void> {
    return this.running.whenEmpty();
  }

  async close(): Promise<void> {
    for (const stream of this.running.values()) {
      this.cut.push(stream);
      this.running.delete(stream);
    }
  }
}

describe("drainStreams", () => {
  it("stops accepting at once and closes nothing while streams end within the grace period", async () => {
    const transport = new FakeTransport();
    transport.running.add("a");
    transport.running.add("b");
    const drained = drainStreams([transport], 60_000);
    assert.equal(transport.accepting, false);
    transport.running.delete("a");
    transport.running.delete("b");
    assert.deepEqual(await drained, { cutTargets: 0 });
    assert.deepEqual(transport.cut, []);
  });

  it("ends the streams still running when the grace period is over, with the target's retryable signal", async () => {
    const finished = new FakeTransport();
    const stuck = new FakeTransport();
    finished.running.add("short");
    stuck.running.add("long");
    const drained = drainStreams([finished, stuck], 50);
    finished.running.delete("short");
    assert.deepEqual(await drained, { cutTargets: 1 });
    assert.deepEqual(finished.cut, []);
    assert.deepEqual(stuck.cut, ["long"]);
  });

  it("returns at once when nothing runs", async () => {
    assert.deepEqual(await drainStreams([new FakeTransport()], 600_000), { cutTargets: 0 });
  });
});

describe("RunningSet", () => {
  it("wakes every waiter when its last item leaves, and only then", async () => {
    const set = new RunningSet<number>();
    await set.whenEmpty();
    set.add(1);
    set.add(2);
    let woken = 0;
    const waiters = [set.whenEmpty().then(() => (woken += 1)), set.whenEmpty().then(() => (woken += 1))];
    set.delete(1);
    set.delete(3);
    await Promise.resolve();
    assert.equal(woken, 0);
    set.delete(2);
    await Promise.all(waiters);
    assert.equal(woken, 2);
  });
});
