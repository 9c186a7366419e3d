const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const RFC822 =
  /^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{2}|\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? (UT|GMT|[ECMP][SD]T|[A-IK-Z]|[+-]\d{4})$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Why `value` is not an RSS date as validators want it (RFC 822, 4-digit year, English names), or null. */
export function rfc822Problem(value: string): string | null {
  const match = RFC822.exec(value.trim());
  if (!match) return 'is not an RFC 822 date such as "Mon, 02 Mar 2026 14:05:00 GMT"';
  const [, day, date, month, year, hours, minutes, seconds] = match;
  if (year?.length === 2) return 'has a 2-digit year';
  const monthIndex = MONTHS.indexOf(month ?? '');
  const utc = new Date(
    Date.UTC(Number(year), monthIndex, Number(date), Number(hours), Number(minutes), Number(seconds ?? 0)),
  );
  if (
    utc.getUTCDate() !== Number(date) ||
    Number(hours) > 23 ||
    Number(minutes) > 59 ||
    Number(seconds ?? 0) > 60
  ) {
    return 'is not a real date or time';
  }
  if (day && DAYS[utc.getUTCDay()] !== day) return `has the wrong day of the week (${DAYS[utc.getUTCDay()]})`;
  return null;
}

/** Why `value` is not an RFC 3339 date-time (Atom, JSON Feed), or null. */
export function rfc3339Problem(value: string): string | null {
  const match = RFC3339.exec(value.trim());
  if (!match) return 'is not an RFC 3339 date such as "2026-03-02T14:05:00Z"';
  if (Number.isNaN(new Date(value.trim()).getTime())) return 'is not a real date or time';
  const [, year, month, date] = match;
  const utc = new Date(Date.UTC(Number(year), Number(month) - 1, Number(date)));
  if (utc.getUTCMonth() !== Number(month) - 1 || utc.getUTCDate() !== Number(date))
    return 'is not a real date';
  return null;
}
