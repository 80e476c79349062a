import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs. Credentials never reach a log line: headers that carry them and any field
 * named like a token are censored wherever they appear.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'ocpi-hub' },
      timestamp: pino.stdTimeFunctions.isoTime,
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
