import type { FieldErrors } from '../../domain/errors.js';
import { SUPPORTED_LANGUAGES } from '../../domain/member.js';
import type { AddValues } from './member-add.js';
import type { WebDeps } from './deps.js';

/** The "Add a contact" form: its values after a refusal, its errors (also as the summary's list). */
export function addFormView(deps: WebDeps, add: { values: Partial<AddValues>; errors: FieldErrors }) {
  const v = add.values;
  return {
    add: {
      values: v,
      announcements: v.announcements ? v.announcements === 'yes' : true,
      digest: v.digest ? v.digest === 'yes' : true,
      languages: SUPPORTED_LANGUAGES.map((l) => ({ value: l, selected: l === (v.language || 'en') })),
    },
    errors: add.errors,
    errorList: Object.entries(add.errors).map(([field, problem]) => ({
      field: deps.views.t(`members.field.${field}`),
      problem, // already a sentence that starts with the field's label
      anchor: `f-${field}`,
    })),
  };
}
