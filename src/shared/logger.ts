import pino from 'pino';

/**
 * Structured JSON logs. No personal data: national IDs, names, phone numbers and payee
 * accounts are never passed to the logger; the redaction list is a second line of defence.
 */
export const logger = pino({
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
});

export type Logger = typeof logger;
