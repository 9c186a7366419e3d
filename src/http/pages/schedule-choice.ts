import { repeatedWallClock, wallClockInZone } from '../../domain/schedule.js';
import type { NewsItem } from '../../domain/item.js';
import { one, type FormBody } from './item-form.js';
import type { Views } from './views.js';

// The schedule fields of the item page and the editor: they open with the item's current time, and in
// the repeated hour of a DST change they ask which of the two instants is meant (a required choice)
// instead of picking one.

const CHOICE_FIELD = 'publishAtInstant';

/** What the form's date field shows: the current schedule in the zone it was chosen in, or nothing. */
export function currentWallClock(item: NewsItem | null): string {
  return item?.publishAt && item.publishTimezone ? wallClockInZone(item.publishAt, item.publishTimezone) : '';
}

/**
 * The `at` to send for a schedule form: the instant picked in the repeated hour (it carries its offset)
 * when it is one of the date field's two instants, else the date field as typed.
 */
export function scheduledAt(form: FormBody): string {
  const wallClock = one(form, 'publishAt').trim();
  const picked = one(form, CHOICE_FIELD).trim();
  const instants = repeatedWallClock(wallClock, one(form, 'timezone').trim());
  return instants?.includes(picked) ? picked : wallClock;
}

/** The two radio buttons to show when the date field names a repeated hour, or null. */
export function repeatedHourChoice(views: Views, wallClock: string, timezone: string, picked = '') {
  const instants = repeatedWallClock(wallClock, timezone);
  if (!instants) return null;
  const time = wallClock.slice(11, 16);
  return {
    name: CHOICE_FIELD,
    legend: views.t('schedule.repeated.legend', { time, zone: timezone }),
    options: instants.map((value, index) => ({
      id: `${CHOICE_FIELD}-${index}`,
      value,
      checked: value === picked,
      label: views.t(index === 0 ? 'schedule.repeated.first' : 'schedule.repeated.second', {
        time,
        offset: `UTC${value.slice(16)}`,
      }),
    })),
  };
}
