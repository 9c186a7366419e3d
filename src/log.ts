import { pino, type Logger } from 'pino';

/** Field names whose values are secrets wherever they appear in a log line. */
const SECRET_KEYS = [
  'token', 'accessToken', 'refreshToken', 'apiToken', 'password', 'secret', 'secretKey', 'authorization',
  'credentials', 'access_token', 'pageToken', 'appSecret', 'accessSecret', 'clientSecret', 'cookie',
];

export function createLogger(level: string, name = 'herald'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [...SECRET_KEYS, ...SECRET_KEYS.map((k) => `*.${k}`), 'req.headers.authorization', 'req.headers.cookie'],
      censor: '[redacted]',
    },
  });
}
