import type { FieldErrors } from '../../domain/errors.js';
import type { Views } from './views.js';

// The domain and the API name fields by their code names ("imageAlt: is required when imageUrl is
// given"); the pages say the same in plain sentences with the field's label ("Alt text is required when
// there is an image."). The API keeps its `fields`; only what a page shows goes through here. editor.js
// gets the same table (problemTable) so its live messages read the same.

/** Problems the item rules and the schedule give, matched by their wording, and the sentence of each. */
const KNOWN: readonly (readonly [RegExp, string])[] = [
  [/^is required when imageUrl is given/, 'problem.imageAltRequired'],
  [/^must be empty when there is no imageUrl/, 'problem.imageAltWithoutImage'],
  [/^must be empty when imageId is given/, 'problem.oneImage'],
  [/^is required$/, 'problem.required'],
  [/^must be an absolute http\(s\) URL/, 'problem.httpUrl'],
  [/^must be a public address/, 'problem.publicUrl'],
  [/^must be a BCP 47 language tag/, 'problem.language'],
  [/ happens twice in /, 'problem.repeatedHour'],
  [/ does not exist in .* \(the clocks skip/, 'problem.skippedHour'],
  [/^must be an ISO-8601 date-time/, 'problem.dateTime'],
  [/^is in the past$/, 'problem.past'],
  [/is not an IANA time zone/, 'problem.timezone'],
];

const TRANSLATION_LABELS: Record<string, string> = {
  language: 'editor.translationLanguage',
  title: 'editor.translationTitle',
  summary: 'editor.translationSummary',
  body: 'editor.translationBody',
};

/** The label a form field has on the editor page; `text.<key>` fields are labelled by `channelLabel`. */
export function fieldLabel(views: Views, field: string, channelLabel: (key: string) => string): string {
  // The editor's own fields are labelled editor.<name> (title, url, imageAlt, publishAt, timezone...).
  if (/^\w+$/.test(field) && views.i18n.has(`editor.${field}`)) return views.t(`editor.${field}`);
  const translation = /^tr\.\d+\.(\w+)$/.exec(field);
  if (translation && TRANSLATION_LABELS[translation[1]!])
    return views.t(TRANSLATION_LABELS[translation[1]!]!);
  if (field.startsWith('text.')) return channelLabel(field.slice(5));
  return field;
}

/** One problem as a sentence: a known one in its own words, any other as "<label> <problem>.". */
export function plainProblem(views: Views, label: string, problem: string): string {
  const tag = /^tag (\d+): (.*)$/s.exec(problem);
  if (tag) return plainProblem(views, views.t('problem.tagLabel', { n: tag[1] }), tag[2]!);
  const known = KNOWN.find(([pattern]) => pattern.test(problem));
  if (known) return views.t(known[1], { label });
  return views.t('problem.other', { label, problem: problem.replace(/[.\s]+$/, '') });
}

/** Every problem of a form as the sentence shown next to its field and in the summary. */
export function plainProblems(
  views: Views,
  errors: FieldErrors,
  channelLabel: (key: string) => string,
): FieldErrors {
  return Object.fromEntries(
    Object.entries(errors).map(([field, problem]) =>
      field.startsWith('_')
        ? [field, problem]
        : [field, plainProblem(views, fieldLabel(views, field, channelLabel), problem)],
    ),
  );
}

/** The same sentences for editor.js, as [pattern, sentence with {label}] pairs plus the fallback. */
export function problemTable(views: Views): string {
  return JSON.stringify({
    known: KNOWN.map(([pattern, key]) => [pattern.source, views.t(key)]),
    other: views.t('problem.other'),
  });
}
