// Platform API versions end: Facebook's Graph versions after about two years, LinkedIn's after about one. The
// end dates are configuration (`apiVersions`); this says which configured versions end soon.

export interface VersionInUse {
  accountName: string;
  /** The table the version is looked up in. */
  platform: 'facebook' | 'linkedin';
  version: string;
}

export interface VersionWarning extends VersionInUse {
  /** The version's last day (YYYY-MM-DD, UTC). */
  endsOn: string;
  /** Whole days from today to that day; 0 or less: it has ended. */
  daysLeft: number;
}

const DAY_MS = 86_400_000;

/** The versions in use that end within `warnDays` days of `now` (or have ended), soonest first. */
export function versionWarnings(
  inUse: readonly VersionInUse[],
  endDates: Record<VersionInUse['platform'], Record<string, string>>,
  now: Date,
  warnDays: number,
): VersionWarning[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return inUse
    .flatMap((use) => {
      const endsOn = endDates[use.platform][use.version];
      if (!endsOn) return [];
      const daysLeft = Math.round((Date.parse(`${endsOn}T00:00:00Z`) - today) / DAY_MS);
      return daysLeft <= warnDays ? [{ ...use, endsOn, daysLeft }] : [];
    })
    .sort((a, b) => a.daysLeft - b.daysLeft);
}
