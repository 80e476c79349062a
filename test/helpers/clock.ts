import type { Clock } from '../../src/clock.ts';

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  private current: Date;
  constructor(start = '2026-11-25T10:00:00.000Z') {
    this.current = new Date(start);
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(iso: string): void {
    this.current = new Date(iso);
  }
  /** Moves forward to `iso` unless already past it: a partner sends what it stamps, when it stamps it. */
  reach(iso: string): void {
    const at = new Date(iso);
    if (at > this.current) this.current = at;
  }
}

export const minutes = (n: number) => n * 60_000;
export const days = (n: number) => n * 86_400_000;
