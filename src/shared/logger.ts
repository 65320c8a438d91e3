import pino from 'pino';

/**
 * Test-only hook: under NODE_ENV=test every line goes through `logSink.write`, which a test may
 * replace to capture the output (tests/integration/pii.test.ts scans it for national IDs, with
 * `logger.level = 'debug'`). Elsewhere pino writes to stdout as usual.
 */
export const logSink: { write(line: string): void } = { write: (line) => void process.stdout.write(line) };

/**
 * Structured JSON logs. No personal data: national IDs, names, phone numbers and payee
 * accounts are never passed to the logger; the redaction list is a second line of defence.
 */
const options: pino.LoggerOptions = {
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  base: { service: 'pillar' },
  redact: {
    paths: [
      'nationalId',
      'nationalIds',
      '*.nationalId',
      '*.nationalIds',
      'name',
      '*.name',
      'phone',
      '*.phone',
      'payeeAccount',
      '*.payeeAccount',
      'req.headers.authorization',
      'authorization',
      'variables',
      '*.variables',
    ],
    censor: '[redacted]',
  },
};

export const logger =
  process.env.NODE_ENV === 'test'
    ? pino(options, { write: (line: string) => logSink.write(line) })
    : pino(options);

export type Logger = typeof logger;
