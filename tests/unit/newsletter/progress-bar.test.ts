import { describe, expect, it } from 'vitest';
import { emptyProgress } from '../../../src/domain/newsletter-send.js';
import { progressBar } from '../../../src/newsletter/progress-bar.js';

describe('the CLI progress bar', () => {
  it('fills with what needs nothing more, and names every count that matters', () => {
    const p = {
      ...emptyProgress(),
      total: 200,
      sent: 90,
      bounced: 5,
      skipped: 5,
      pending: 80,
      sending: 10,
      deferred: 10,
    };
    expect(progressBar(p, 20)).toBe(
      '[##########----------]  50%  sent 90 · pending 90 · deferred 10 · bounced 5 · failed 0 · skipped 5 / 200',
    );
    expect(progressBar({ ...emptyProgress(), total: 3, sent: 2, unknown: 1 }, 10)).toBe(
      '[##########] 100%  sent 2 · pending 0 · deferred 0 · bounced 0 · failed 0 · unknown 1 / 3',
    );
    expect(progressBar(emptyProgress(), 4)).toBe(
      '[####] 100%  sent 0 · pending 0 · deferred 0 · bounced 0 · failed 0 / 0',
    );
  });
});
