import { pino, type DestinationStream, type Logger } from 'pino';
import { createRequire } from 'node:module';
import type PinoPretty from 'pino-pretty';
import { URL_SERIALIZERS } from './log-redact.js';

/** Field names whose values are secrets wherever they appear in a log line. */
const SECRET_KEYS = [
  'token',
  'accessToken',
  'refreshToken',
  'apiToken',
  'password',
  'secret',
  'secretKey',
  'authorization',
  'credentials',
  'access_token',
  'pageToken',
  'appSecret',
  'accessSecret',
  'clientSecret',
  'secretAccessKey',
  'cookie',
];

export type LogFormat = 'auto' | 'json' | 'pretty';

export interface LoggerOptions {
  name?: string;
  /** `auto` (default): human-readable when standard output is a terminal, JSON lines otherwise. */
  format?: LogFormat;
  /** Where JSON lines go (default standard output); tests read them back. */
  destination?: DestinationStream;
}

/** Redaction happens before formatting: neither the JSON nor the readable form ever holds a secret or a recipient's token. */
export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const settings = {
    name: options.name ?? 'herald',
    level,
    redact: {
      paths: [
        ...SECRET_KEYS,
        ...SECRET_KEYS.map((k) => `*.${k}`),
        'req.headers.authorization',
        'req.headers.cookie',
      ],
      censor: '[redacted]',
    },
    serializers: URL_SERIALIZERS,
  };
  if (options.destination) return pino(settings, options.destination);
  if (!readable(options.format ?? 'auto')) return pino(settings);
  // Synchronous, on standard output: nothing is lost when the process exits right after a line.
  return pino(
    settings,
    loadPretty()({
      colorize: process.stdout.isTTY === true,
      sync: true,
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,name',
    }),
  );
}

/** Loaded only when a terminal (or HERALD_LOG_FORMAT=pretty) asks for it: worker processes never pay for it. */
function loadPretty(): typeof PinoPretty {
  return createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
}

function readable(format: LogFormat): boolean {
  return format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
}
