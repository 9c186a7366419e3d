import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { PlatformId } from '../domain/platform.js';

/** What the social templates can use. Every value is plain text. */
export interface SocialTemplateData {
  title: string;
  summary: string;
  url: string;
  /** Space-separated, each with its `#`. */
  hashtags: string;
  /** Facebook: whether the link is written in the text (photo posts cannot carry a link preview). */
  urlInText?: boolean;
}

export type SocialTemplate = (data: SocialTemplateData) => string;

// From src/channels (tsx, vitest) the templates are two levels up; from dist/src/channels three.
const CANDIDATE_DIRS = ['../../templates/social/', '../../../templates/social/'];

const compiled = new Map<PlatformId, SocialTemplate>();

function findTemplatesDir(): string {
  for (const relative of CANDIDATE_DIRS) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(dir)) return dir;
  }
  throw new Error('templates/social not found next to the Herald installation');
}

/**
 * The platform's template, read and compiled once. `noEscape`: posts are plain text, so `&` must stay `&`
 * (HTML escaping would show "&amp;" on Twitter and Facebook) and nothing here is ever rendered as HTML.
 */
export function socialTemplate(platform: PlatformId): SocialTemplate {
  let template = compiled.get(platform);
  if (!template) {
    const source = readFileSync(`${findTemplatesDir()}/${platform}.hbs`, 'utf8');
    const delegate = Handlebars.compile<SocialTemplateData>(source, { noEscape: true, strict: false });
    template = (data) => delegate(data);
    compiled.set(platform, template);
  }
  return template;
}
