import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameRun } from "./frame-run.ts";

const frame = (position: number, bytes: number) => Buffer.alloc(bytes, position % 251);

describe("FrameRun", () => {
  it("hands out the frames from a position to the newest as views, never copies per call", () => {
    const run = new FrameRun();
    for (let p = 5; p <= 8; p++) run.append(p, frame(p, 10));
    const [all] = run.views(5, 8, 1_000) as Buffer[];
    expect(all).toEqual(Buffer.concat([5, 6, 7, 8].map((p) => frame(p, 10))));
    const [tail] = run.views(7, 8, 1_000) as Buffer[];
    expect(tail).toEqual(Buffer.concat([frame(7, 10), frame(8, 10)]));
    // Both are views of one buffer.
    expect(tail?.buffer).toBe(all?.buffer);
    expect(run.views(4, 8, 1_000)).toBeNull();
    expect(run.views(9, 9, 1_000)).toBeNull();
    // Up to a position before the newest.
    expect(Buffer.concat(run.views(6, 7, 15) as Buffer[])).toEqual(Buffer.concat([frame(6, 10), frame(7, 10)]));
  });

  it("cuts at frame boundaries into views of at most maxBytes; a larger frame goes alone", () => {
    const run = new FrameRun();
    const sizes = [30, 30, 30, 100, 10, 10];
    sizes.forEach((bytes, i) => {
      run.append(i + 1, frame(i + 1, bytes));
    });
    const views = run.views(1, 6, 64) as Buffer[];
    expect(views.map((v) => v.length)).toEqual([60, 30, 100, 20]);
  });

  it("refuses a position out of order, and starts over once everything was trimmed", () => {
    const run = new FrameRun();
    run.append(1, frame(1, 4));
    expect(() => run.append(3, frame(3, 4))).toThrow(/expected 2/);
    run.append(2, frame(2, 4));
    run.trim(2);
    expect(run.first).toBeNaN();
    run.append(10, frame(10, 4));
    expect(run.first).toBe(10);
    expect((run.views(10, 10, 100) as Buffer[])[0]).toEqual(frame(10, 4));
  });

  it("never overwrites bytes a view still shows, through growth, trims and restarts", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 1, max: 40_000 }), fc.constant(-1), fc.constant(-2)), { maxLength: 80 }),
        (steps) => {
          const run = new FrameRun();
          let next = 1;
          let first = 1;
          const held: { view: Buffer; copy: Buffer }[] = [];
          for (const step of steps) {
            if (step === -1) {
              // Trim half of what is held.
              const upTo = first + Math.floor((next - first) / 2) - 1;
              run.trim(upTo);
              first = Math.max(first, upTo + 1);
            } else if (step === -2) {
              for (const view of run.views(first, next - 1, 50_000) ?? []) held.push({ view, copy: Buffer.from(view) });
            } else {
              run.append(next, frame(next, step));
              next++;
            }
          }
          for (const { view, copy } of held) expect(view.equals(copy)).toBe(true);
          const views = run.views(first, next - 1, 50_000);
          if (first < next) {
            const expected = Buffer.concat(
              Array.from({ length: next - first }, (_, i) => frame(first + i, sizeOf(steps, first + i))),
            );
            expect(Buffer.concat(views ?? [])).toEqual(expected);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** The size of the frame appended as `position` in a property run. */
function sizeOf(steps: number[], position: number): number {
  let p = 0;
  for (const step of steps) {
    if (step > 0 && ++p === position) return step;
  }
  return 0;
}
