// Pieces every list page shows: the pager and the status filter.

/** Previous and next links around page `page` of `pages`. */
export function pager(page: number, pages: number, link: (page: number) => string) {
  return {
    page,
    pages,
    prev: page > 1 ? link(page - 1) : null,
    next: page < pages ? link(page + 1) : null,
  };
}

/** The options of a status filter, labelled `<prefix>.status.<status>`. */
export function statusOptions(
  t: (key: string) => string,
  prefix: string,
  statuses: readonly string[],
  selected: string | undefined,
) {
  return statuses.map((s) => ({ value: s, label: t(`${prefix}.status.${s}`), selected: s === selected }));
}
