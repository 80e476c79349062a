import pino, { type Logger } from 'pino';
import { describeDatabaseError, isDatabaseError } from './db-errors.ts';

export type { Logger };

/**
 * JSON logs. Credentials never reach a log line: headers that carry them and any field
 * named like a token are censored wherever they appear. A database error is logged by its
 * codes and reason only: its message and fields quote the SQL with its parameters.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'ocpi-hub' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: (err: unknown) => (isDatabaseError(err) ? describeDatabaseError(err) : pino.stdSerializers.err(err as Error)) },
      redact: {
        paths: [
          'req.headers.authorization',
          'headers.authorization',
          'authorization',
          'token',
          '*.token',
          'token_a',
          '*.token_a',
          'body.token',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
