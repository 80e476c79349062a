import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/observability/log.ts';

/** A logger whose JSON lines the test reads, parsed, in the order written. */
export function capturingLogger(level = 'info'): { log: Logger; lines: any[] } {
  const lines: any[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger(level, stream), lines };
}
