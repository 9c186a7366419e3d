import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ZodError } from 'zod';
import { z } from 'zod';
import { knownError } from '../../../src/app/errors.js';
import { ChannelError } from '../../../src/channels/adapter.js';
import {
  ConflictError,
  HeraldError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from '../../../src/domain/errors.js';
import { RedisUnavailableError } from '../../../src/redis/server.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

describe('HeraldError', () => {
  it('is the base of every exported error class in src/', () => {
    const offenders = sourceFiles('src').flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/^export class (\w+) extends Error\b/gm)].map(
        (m) => `${file}: ${m[1]}`,
      ),
    );
    expect(offenders).toEqual(['src/domain/errors.ts: HeraldError']);
  });

  it('carries a stable code, an HTTP status and the classification where it applies', () => {
    expect(new ValidationError({ title: 'is required' })).toMatchObject({
      code: 'invalid_input',
      httpStatus: 400,
      isCallerError: true,
    });
    expect(new NotFoundError('item', 'x')).toMatchObject({
      code: 'not_found',
      httpStatus: 404,
      name: 'NotFoundError',
    });
    expect(new ConflictError('already sent', 'already_sent')).toMatchObject({
      code: 'already_sent',
      httpStatus: 409,
    });
    expect(new RedisUnavailableError('Redis is down')).toMatchObject({
      code: 'unavailable',
      httpStatus: 503,
      errorClass: 'transient',
    });
    const channel = new ChannelError({ kind: 'rate_limited', message: 'slow down' });
    expect(channel).toBeInstanceOf(HeraldError);
    expect(channel).toMatchObject({
      code: 'channel_rate_limited',
      errorClass: 'rate_limited',
      kind: 'rate_limited',
      isCallerError: false,
    });
  });

  it('words zod errors and unreachable databases as Herald errors, and leaves bugs alone', () => {
    const zod = z.object({ n: z.number() }).safeParse({ n: 'x' }).error as ZodError;
    expect(knownError(zod)).toMatchObject({ code: 'invalid_input', fields: { n: expect.any(String) } });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(knownError(refused)).toBeInstanceOf(UnavailableError);
    expect(knownError(new TypeError('x is undefined'))).toBeNull();
  });
});
