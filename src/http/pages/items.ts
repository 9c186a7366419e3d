import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../domain/errors.js';
import { ITEM_STATUSES, type ItemStatus, type NewsItem } from '../../domain/item.js';
import { createItem, editItem } from '../../app/items.js';
import { requestPublish } from '../../app/publishing.js';
import { savePublishPlan } from '../../app/publish-plan.js';
import { formatInZone } from '../../domain/schedule.js';
import { getItem } from '../../store/items.js';
import { searchItems } from '../../store/web-queries.js';
import { ITEM_ID, pathId } from '../schemas.js';
import type { WebDeps } from './deps.js';
import { sendEditor } from './editor.js';
import { uploadFromForm } from './editor-upload.js';
import {
  formFieldErrors,
  formProblems,
  inputFromValues,
  many,
  one,
  valuesFromForm,
  valuesFromItem,
  type FormBody,
  type ItemFormValues,
} from './item-form.js';
import { redirectWith, sendPage } from './render.js';
import { itemRow } from './view-models.js';
import { showItem } from './item-page.js';
import { needs } from '../route-access.js';
import { scheduledAt } from './schedule-choice.js';
import { requestMay } from '../authorize.js';
import { pager, statusOptions } from './lists.js';

const PAGE_SIZE = 50;

export const pageItemId = (params: unknown): string => pathId(params, ITEM_ID, 'item');

interface PublishChoice {
  action: 'save' | 'publish' | 'schedule';
  publishAt: string;
  timezone: string;
  channels: string[] | null;
  announce: boolean;
  /** False when the form did not offer the choice (no channel list; no right to announce). */
  offered: { channels: boolean; announce: boolean };
}

/** The publish part of the editor form; announcing in the newsletter only for those who may send newsletters. */
function publishChoice(deps: WebDeps, request: FastifyRequest, form: FormBody): PublishChoice {
  const action = one(form, 'action');
  const all = deps.ctx.channels.accounts().map((a) => a.id);
  const picked = many(form, 'channels');
  // Every account ticked means "all", so accounts added later are included too.
  const channels =
    one(form, 'channelsShown') === '1' && !all.every((id) => picked.includes(id)) ? picked : null;
  return {
    action: action === 'publish' || action === 'schedule' ? action : 'save',
    publishAt: one(form, 'publishAt').trim(),
    timezone: one(form, 'timezone').trim(),
    channels,
    announce: one(form, 'announce') === 'on' && requestMay(request, 'newsletters:write'),
    offered: {
      channels: one(form, 'channelsShown') === '1',
      announce: one(form, 'announceShown') === '1' && requestMay(request, 'newsletters:write'),
    },
  };
}

/** "Save changes" keeps the publication choices too; what the form did not offer stays as it was. */
function savePlan(deps: WebDeps, request: FastifyRequest, item: NewsItem, choice: PublishChoice) {
  const plan = {
    channels: choice.offered.channels ? choice.channels : item.publishChannels,
    announce: choice.offered.announce ? choice.announce : item.announce,
  };
  return savePublishPlan(deps.ctx, item.id, plan, request.actor);
}

async function saveForm(
  deps: WebDeps,
  request: FastifyRequest,
  existing: NewsItem | null,
  values: ItemFormValues,
): Promise<NewsItem> {
  const problems = formProblems(values);
  if (Object.keys(problems).length > 0) throw new ValidationError(problems);
  const input = inputFromValues(values);
  const rules = { allowPrivateUrls: deps.ctx.config.allowPrivateUrls };
  if (!existing) return createItem(deps.ctx.store, input, request.actor, rules);
  return (await editItem(deps.ctx.store, existing.id, input, request.actor, rules)).item;
}

/** Saves the form, then publishes or schedules when asked; errors re-show the editor with every problem. */
async function handleEditorPost(
  deps: WebDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  existing: NewsItem | null,
) {
  const form = (request.body ?? {}) as FormBody;
  const values = valuesFromForm(form);
  const choice = publishChoice(deps, request, form);
  let item: NewsItem;
  try {
    // A picture sent with the form (no JavaScript) becomes an upload first; the re-shown form keeps its id.
    values.imageId = (await uploadFromForm(deps.ctx, request)) ?? values.imageId;
    item = await saveForm(deps, request, existing, values);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return sendEditor(
      deps,
      request,
      reply,
      { item: existing, values, errors: formFieldErrors(error.fields, values), publish: choice },
      400,
    );
  }
  if (choice.action === 'save') {
    await savePlan(deps, request, item, choice);
    return redirectWith(deps, request, reply, `/items/${item.id}`, { kind: 'ok', key: 'flash.saved' });
  }
  if (choice.action === 'schedule' && !choice.publishAt) {
    return sendEditor(
      deps,
      request,
      reply,
      {
        item,
        values: valuesFromItem(item),
        errors: { publishAt: deps.views.t('editor.publishAtMissing') },
        publish: choice,
      },
      400,
    );
  }
  try {
    const outcome = await requestPublish(deps.ctx, item.id, {
      at: choice.action === 'schedule' ? scheduledAt(form) : undefined,
      timezone: choice.timezone || undefined,
      channels: choice.channels ?? undefined,
      announce: choice.announce,
      actor: request.actor,
    });
    const key = outcome.scheduled
      ? 'flash.scheduled'
      : outcome.changed
        ? 'flash.published'
        : 'flash.alreadyPublished';
    return redirectWith(deps, request, reply, `/items/${item.id}`, {
      kind: 'ok',
      key,
      params: { when: whenText(outcome.item) },
    });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const errors = {
      ...formFieldErrors(error.fields, values),
      _saved: deps.views.t('editor.savedNotPublished'),
    };
    return sendEditor(
      deps,
      request,
      reply,
      { item, values: valuesFromItem(item), errors, publish: choice },
      400,
    );
  }
}

const whenText = (item: NewsItem) =>
  item.publishAt && item.publishTimezone ? formatInZone(item.publishAt, item.publishTimezone) : '';

function listQuery(query: unknown) {
  const q = (query ?? {}) as Record<string, unknown>;
  const status = ITEM_STATUSES.includes(q.status as ItemStatus) ? (q.status as ItemStatus) : undefined;
  const page = Math.max(1, Math.min(10_000, Number.parseInt(String(q.page ?? '1'), 10) || 1));
  const text = typeof q.q === 'string' ? q.q.slice(0, 200) : '';
  return { status, page, q: text };
}

export function itemPages(app: FastifyInstance, deps: WebDeps): void {
  app.get('/items', needs('items:read'), async (request, reply) => {
    const query = listQuery(request.query);
    const { items, total } = await searchItems(deps.ctx.store.db, {
      q: query.q,
      status: query.status,
      limit: PAGE_SIZE,
      offset: (query.page - 1) * PAGE_SIZE,
    });
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const link = (page: number) =>
      `/items?${new URLSearchParams({ ...(query.q ? { q: query.q } : {}), ...(query.status ? { status: query.status } : {}), page: String(page) })}`;
    return sendPage(deps, request, reply, 'items', {
      title: deps.views.t('items.title'),
      items: items.map((i) => itemRow(deps.views, i)),
      total,
      query,
      statuses: statusOptions((key) => deps.views.t(key), 'item', ITEM_STATUSES, query.status),
      pager: pager(query.page, pages, link),
    });
  });

  app.get('/items/new', needs('items:read'), async (request, reply) => {
    const blank = valuesFromForm({});
    return sendEditor(deps, request, reply, { item: null, values: { ...blank, language: 'en' } });
  });

  app.post('/items', needs('items:write'), async (request, reply) =>
    handleEditorPost(deps, request, reply, null),
  );

  app.get('/items/:id', needs('items:read'), async (request, reply) =>
    showItem(deps, request, reply, pageItemId(request.params)),
  );

  app.get('/items/:id/edit', needs('items:read'), async (request, reply) => {
    const item = await getItem(deps.ctx.store.db, pageItemId(request.params));
    return sendEditor(deps, request, reply, { item, values: valuesFromItem(item) });
  });

  app.post('/items/:id', needs('items:write'), async (request, reply) => {
    const item = await getItem(deps.ctx.store.db, pageItemId(request.params));
    return handleEditorPost(deps, request, reply, item);
  });
}
