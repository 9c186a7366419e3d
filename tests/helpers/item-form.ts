/** The fields the item editor's form sends, filled in; `extra` overrides or adds. */
export function editorForm(extra: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    title: 'Mayors meet in Lyon',
    summary: 'What 130 member cities agreed.',
    body: '## Highlights\n\nThe **declaration** was signed.',
    url: 'https://example.org/news/lyon',
    imageUrl: '',
    imageAlt: '',
    tags: 'climate, #cities',
    language: 'en',
    slug: '',
    'text.twitter': '',
    'text.facebook': '',
    'tr.0.language': '',
    'tr.0.title': '',
    'tr.0.summary': '',
    'tr.0.body': '',
    channelsShown: '1',
    channels: ['twitter', 'facebook'],
    publishAt: '',
    timezone: 'Europe/Paris',
    ...extra,
  };
}

/** The item id in a Location header or URL. */
export const itemIdFrom = (location: string | string[] | number | undefined) =>
  String(location).match(/itm_[0-9a-f]{32}/)![0];
