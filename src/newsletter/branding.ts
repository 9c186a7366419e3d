import { z } from 'zod';
import { ValidationError } from '../domain/errors.js';
import { isHttpUrl } from '../domain/item.js';
import { fieldErrorsFromZod } from '../domain/zod-errors.js';

/** The organisation's look and identity, from configuration. */
export interface Branding {
  organisationName: string;
  /** Postal address shown in the footer (anti-spam laws ask for one); lines separated by newlines. */
  postalAddress: string;
  /** Without a logo the header shows the organisation name. */
  logoUrl?: string | undefined;
  /** Defaults to the organisation name. */
  logoAlt?: string | undefined;
  websiteUrl: string;
  colors?: Partial<ThemeColors> | undefined;
  /** A font stack of installed fonts; no web font is ever linked. */
  fontFamily?: string | undefined;
}

export interface ThemeColors {
  /** Header band and buttons. */
  primary: string;
  /** Text on the primary colour. */
  onPrimary: string;
  /** Around the content. */
  background: string;
  /** Behind the content. */
  surface: string;
  text: string;
  muted: string;
  link: string;
}

export const DEFAULT_COLORS: ThemeColors = {
  primary: '#1d3557',
  onPrimary: '#ffffff',
  background: '#f1f3f5',
  surface: '#ffffff',
  text: '#1f2933',
  muted: '#5f6b76',
  link: '#1d4ed8',
};

export const DEFAULT_FONT_FAMILY = "-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

/** What the templates see as `branding` at render time. */
export interface BrandingView {
  organisationName: string;
  addressLines: string[];
  /** '' when there is no logo. */
  logoUrl: string;
  logoAlt: string;
  websiteUrl: string;
}

export interface ResolvedBranding {
  view: BrandingView;
  /** Values of the `[[token]]` placeholders, baked into the MJML before it is compiled. */
  theme: Record<string, string>;
}

const color = z.string().regex(/^#(?:[0-9a-fA-F]{3}){1,2}$/, 'must be a hex colour such as #1d3557');
const url = z.string().refine(isHttpUrl, 'must be an absolute http(s) URL');
const line = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'is required')
    .max(max)
    .refine((v) => !/[\r\n]/.test(v), 'must be one line');

export const brandingSchema = z.strictObject({
  organisationName: line(200),
  postalAddress: z.string().trim().min(1, 'is required (anti-spam laws ask for a postal address)').max(500),
  logoUrl: url.optional(),
  logoAlt: line(200).optional(),
  websiteUrl: url,
  colors: z
    .strictObject(Object.fromEntries(Object.keys(DEFAULT_COLORS).map((k) => [k, color.optional()])))
    .optional(),
  fontFamily: z
    .string()
    .regex(/^[A-Za-z0-9 ,'-]{1,200}$/, 'must be a font stack such as "Helvetica, Arial, sans-serif"')
    .optional(),
});

/** Validates branding from configuration; throws ValidationError naming each bad field. */
export function resolveBranding(input: Branding): ResolvedBranding {
  const parsed = brandingSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error, 'branding.'));
  const b = parsed.data;
  const colors = { ...DEFAULT_COLORS, ...definedOnly(b.colors ?? {}) };
  const theme: Record<string, string> = { 'font.family': b.fontFamily ?? DEFAULT_FONT_FAMILY };
  for (const [name, value] of Object.entries(colors)) theme[`color.${name}`] = value;
  return {
    view: {
      organisationName: b.organisationName,
      addressLines: b.postalAddress
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean),
      logoUrl: b.logoUrl ?? '',
      logoAlt: b.logoAlt ?? b.organisationName,
      websiteUrl: b.websiteUrl,
    },
    theme,
  };
}

function definedOnly(record: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The token names templates may use, e.g. `[[color.primary]]`. */
export const THEME_TOKENS: readonly string[] = [
  'font.family',
  ...Object.keys(DEFAULT_COLORS).map((k) => `color.${k}`),
];
