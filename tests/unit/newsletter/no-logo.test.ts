// Branding without a logo: the header shows the organisation's name instead of an empty image.
import { describe, expect, it } from 'vitest';
import { compileNewsletter, renderFor } from '../../../src/newsletter/render.js';
import { branding, tramItem } from '../../helpers/newsletter-sample.js';

describe('a newsletter without a logo', () => {
  it('shows the organisation name in the header and no image without a source', async () => {
    const { logoUrl: _logo, logoAlt: _alt, ...noLogo } = branding;
    const compiled = await compileNewsletter({
      kind: 'announcement',
      items: [tramItem],
      language: 'en',
      branding: noLogo,
    });
    const { html } = renderFor(compiled, {
      email: 'a@example.eu',
      unsubscribeUrl: 'https://herald.example.org/u/x',
    });
    expect(html).not.toContain('src=""');
    expect(html).not.toContain('static/logo.png');
    expect(html).toMatch(
      /<a href="https:\/\/herald\.example\.org" style="[^"]*text-decoration:none;">Alliance of Cities<\/a>/,
    );
    const withLogo = await compileNewsletter({
      kind: 'announcement',
      items: [tramItem],
      language: 'en',
      branding,
    });
    expect(
      renderFor(withLogo, { email: 'a@example.eu', unsubscribeUrl: 'https://herald.example.org/u/x' }).html,
    ).toContain('src="https://herald.example.org/static/logo.png"');
  });
});
