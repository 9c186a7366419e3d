import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FieldErrors } from '../../domain/errors.js';
import { canDo, LIMITS, type NewsItem } from '../../domain/item.js';
import { listAccounts, type StoredAccount } from '../../store/accounts.js';
import { listDeliveriesForItem } from '../../store/deliveries.js';
import { previewItem } from '../../channels/preview.js';
import { withLinkCards } from '../link-cards.js';
import { isPublishedRevision } from '../../domain/publication.js';
import type { WebDeps } from './deps.js';
import { one, type FormBody, type ItemFormValues } from './item-form.js';
import { UPLOAD_ALT_FIELD } from './editor-upload.js';
import { sendPage } from './render.js';
import { itemRow } from './view-models.js';
import { fieldId } from './views.js';
import { PLATFORMS, platformName } from '../../channels/platforms.js';
import { requestMay } from '../authorize.js';
import { findMedia, withItemUpload } from '../../store/media.js';
import { MEDIA_LIMITS, MEDIA_TYPES } from '../../domain/media.js';
import { thumbnailUrl } from './media-library.js';
import { plainProblems, problemTable } from './field-problems.js';
import { currentWallClock, repeatedHourChoice } from './schedule-choice.js';

/** The posts of the saved version, shown before (or without) the live previews of editor.js. */
async function savedPreviews(deps: WebDeps, saved: NewsItem, stored: StoredAccount[]) {
  const deliveries = await listDeliveriesForItem(deps.ctx.store.db, saved.id);
  const item = await withItemUpload(deps.ctx.store.db, saved, 'card', '');
  const states = new Map(stored.map((a) => [a.id, { state: a.state, stateReason: a.stateReason }]));
  const ids = deps.ctx.channels.accounts().map((a) => a.id);
  const posts = await previewItem(
    deps.ctx.channels,
    item,
    deliveries,
    states,
    ids,
    isPublishedRevision(item),
    deps.ctx.config.twitter.prices,
  );
  return await withLinkCards(posts, item, deps.pageReader);
}

export interface EditorState {
  item: NewsItem | null;
  values: ItemFormValues;
  errors?: FieldErrors;
  /** Publish choices as submitted (re-shown after an error). */
  publish?: { publishAt: string; timezone: string; channels: string[] | null; announce: boolean };
}

/** Per-channel text boxes: one per platform in use, plus any account-specific override already stored. */
/** A per-channel text's key (a platform or an account id) as people know it. */
export function channelTextLabel(deps: WebDeps, key: string): string {
  return key in PLATFORMS ? platformName(key) : (deps.ctx.channels.get(key)?.account.name ?? key);
}

function channelTextFields(deps: WebDeps, values: ItemFormValues) {
  const accounts = deps.ctx.channels.accounts();
  const platforms = [...new Set(accounts.map((a) => a.platform))];
  const keys = [...platforms, ...Object.keys(values.texts).filter((k) => !platforms.includes(k as never))];
  return keys.map((key) => ({
    key,
    label: channelTextLabel(deps, key),
    value: values.texts[key] ?? '',
    platform: platforms.includes(key as never) ? key : (deps.ctx.channels.get(key)?.account.platform ?? ''),
  }));
}

/** True when publishing can also announce the item in the newsletter (a newsletter module contributes a target). */
function canAnnounce(deps: WebDeps, item: NewsItem | null): boolean {
  if (!item) return false;
  return deps.ctx.targets({ ...item, announce: true }).some((t) => t.kind === 'newsletter');
}

export async function sendEditor(
  deps: WebDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  state: EditorState,
  status = 200,
) {
  const { item, values } = state;
  const channelLabel = (key: string) => channelTextLabel(deps, key);
  const errors = plainProblems(deps.views, state.errors ?? {}, channelLabel);
  const zone = request.signedIn?.user.timezone ?? deps.ctx.config.timezone;
  const stored = await listAccounts(deps.ctx.store.db);
  const chosen = state.publish?.channels ?? item?.publishChannels ?? null;
  const accounts = stored
    .filter((a) => deps.ctx.channels.has(a.id))
    .map((a) => ({
      id: a.id,
      name: a.name,
      platform: a.platform,
      mode: a.mode,
      state: a.state,
      checked: chosen === null || chosen.includes(a.id),
    }));
  // One empty block to add a translation; empty blocks sent back by a refused form are not kept.
  const translations = [
    ...values.translations.filter((t) => t.language || t.title || t.summary || t.body),
    { index: nextIndex(values), language: '', title: '', summary: '', body: '' },
  ];
  const errorList = Object.entries(errors).map(([field, problem]) => ({
    field,
    problem,
    anchor: fieldId(field),
  }));
  // Uploaded pictures (served here, under /media/) are shown in the preview cards; outside addresses are not loaded.
  const posts = (item ? await savedPreviews(deps, item, stored) : []).map((post) => ({
    ...post,
    shownImage: post.image?.url.startsWith('/media/') ? post.image : null,
  }));
  const upload = values.imageId ? await findMedia(deps.ctx.store.db, values.imageId) : null;
  return sendPage(
    deps,
    request,
    reply,
    'item-edit',
    {
      title: item ? deps.views.t('editor.titleEdit', { title: item.title }) : deps.views.t('editor.titleNew'),
      item: item ? itemRow(deps.views, item) : null,
      values: { ...values, translations },
      errors,
      errorList,
      channelTexts: channelTextFields(deps, values),
      accounts,
      announce: {
        possible: canAnnounce(deps, item) && requestMay(request, 'newsletters:write'),
        checked: state.publish?.announce ?? item?.announce ?? false,
      },
      publishAt: state.publish?.publishAt ?? currentWallClock(item),
      repeated:
        errors.publishAt && state.publish
          ? repeatedHourChoice(deps.views, state.publish.publishAt, state.publish.timezone || zone)
          : null,
      problemTable: problemTable(deps.views),
      publishZone: state.publish?.timezone ?? item?.publishTimezone ?? zone,
      canCancel: item ? canDo('cancel', item.status) : false,
      limits: LIMITS,
      upload: upload ? { id: upload.id, thumbnail: thumbnailUrl(upload), alt: upload.alt } : null,
      uploadLimits,
      uploadAlt: typedUploadAlt(request),
      bodyHtml: item?.bodyHtml ?? '',
      posts,
      scripts: ['zone.js', 'field-rules.js', 'editor.js', 'editor-draft.js', 'upload.js'],
    },
    status,
  );
}

const uploadLimits = {
  alt: MEDIA_LIMITS.alt,
  types: MEDIA_TYPES.join(','),
  bytes: MEDIA_LIMITS.bytes,
  megabytes: MEDIA_LIMITS.bytes / 1_048_576,
};

/** The upload's alt text a refused form carried (the file itself cannot be shown again). */
function typedUploadAlt(request: FastifyRequest): string {
  return request.method === 'POST' ? one((request.body ?? {}) as FormBody, UPLOAD_ALT_FIELD) : '';
}

function nextIndex(values: ItemFormValues): number {
  return values.translations.reduce((max, t) => Math.max(max, t.index + 1), 0);
}
