import { z } from 'zod';

// What the platforms charge and change (issue 16): X's pay-per-use prices and an optional monthly budget, and
// the end-of-life dates of the Facebook Graph and LinkedIn API versions. Defaults are today's public figures
// (sources in docs/social.md); the platforms change them, so they are configuration.

const usd = z.coerce.number({ error: 'must be a number of US dollars' }).min(0, 'must be 0 or more');

/** X's prices per request in US dollars (docs.x.com pricing, 2026). */
const twitterPricesSchema = z
  .strictObject({
    /** Creating a post without a URL. */
    post: usd.default(0.015),
    /** Creating a post that contains a URL. */
    postWithUrl: usd.default(0.2),
    /** Each post returned by a read (Herald's look-up before posting again after an unknown outcome). */
    postRead: usd.default(0.005),
  })
  .prefault({});

/** `twitter`: X's pay-per-use rules (the default account's credentials stay in `channels.twitter`). */
export const twitterRulesSchema = z
  .strictObject({
    prices: twitterPricesSchema,
    /** When set, posts that would take this month's X spend over it are held until a person releases them. */
    monthlyBudgetUsd: usd.optional(),
  })
  .prefault({});

export type TwitterRules = z.infer<typeof twitterRulesSchema>;

/** YYYY-MM-DD; a YAML file's unquoted date arrives as a Date. */
const isoDate = z.preprocess(
  (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : value),
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD'),
);

/**
 * End-of-life dates of API versions, by version. Graph versions live about two years (v20.0 ended 2026-09-24);
 * LinkedIn versions are sunset about a year after release. Check and extend these when moving versions.
 */
export const apiVersionsSchema = z
  .strictObject({
    facebook: z
      .record(z.string().regex(/^v\d+\.\d+$/, 'must be a Graph version, e.g. v26.0'), isoDate)
      .default({
        'v24.0': '2027-10-08',
        'v25.0': '2028-02-18',
        'v26.0': '2028-07-14',
      }),
    linkedin: z.record(z.string().regex(/^20\d\d(0[1-9]|1[0-2])$/, 'must be YYYYMM'), isoDate).default({
      '202511': '2026-11-30',
      '202601': '2027-01-31',
      '202604': '2027-04-30',
      '202607': '2027-07-31',
      '202610': '2027-10-31',
    }),
    /** How many days before a version's end "Needs attention" warns. */
    warnDays: z.coerce.number().int('must be a whole number').min(1).max(365).default(90),
  })
  .prefault({});

export const PLATFORM_RULES_ENV_VARS: Readonly<Record<string, string>> = {
  HERALD_TWITTER_MONTHLY_BUDGET_USD: 'twitter.monthlyBudgetUsd',
};
