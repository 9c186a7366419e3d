import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createItem } from '../../../../src/app/items.js';
import { requestPublish } from '../../../../src/app/publishing.js';
import { editMediaAlt, mediaStoreFor } from '../../../../src/app/media.js';
import { can } from '../../../../src/domain/permissions.js';
import { fileName } from '../../../../src/domain/media.js';
import { listDryRunPosts } from '../../../../src/store/dry-run-posts.js';
import { getItem } from '../../../../src/store/items.js';
import { findMedia } from '../../../../src/store/media.js';
import { waitFor } from '../../../helpers/app.js';
import { multipartBody, picture } from '../../../helpers/media.js';
import { addUser, Client, startWebApp, TOKEN, type WebApp } from '../../../helpers/web.js';

const ROLES = ['editor', 'admin'] as const;

/** The editor form as a browser without JavaScript sends it: multipart, the picture in `imageFile`. */
function editorForm(
  fields: Record<string, string>,
  file: { name: string; type: string; bytes: Buffer } | null,
): { payload: Buffer; headers: Record<string, string> } {
  const body = multipartBody(file, fields);
  // multipartBody names its file part "file"; the editor's is "imageFile".
  const payload = Buffer.from(
    body.payload.toString('latin1').replace('name="file"', 'name="imageFile"'),
    'latin1',
  );
  return { payload, headers: body.headers };
}

describe('media pages: the editor upload without JavaScript, the media library', () => {
  let web: WebApp;
  const clients = {} as Record<(typeof ROLES)[number], Client>;

  beforeAll(async () => {
    web = await startWebApp('sqlite');
    web.app.startWorkers(['publish', 'channel', 'feed']);
    for (const [i, role] of ROLES.entries()) {
      await addUser(web.app, `${role}@example.org`, role);
      clients[role] = new Client(web.http, `10.9.0.${i + 1}`);
      expect((await clients[role].signIn(`${role}@example.org`)).statusCode).toBe(303);
    }
  }, 60_000);
  afterAll(() => web?.close());

  async function postEditor(
    client: Client,
    fields: Record<string, string>,
    file: { name: string; type: string; bytes: Buffer } | null,
    withCsrf = true,
  ) {
    const form = await client.get('/items/new');
    const once = form.body.match(/name="_once" value="([^"]+)"/)![1]!;
    const csrf = form.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
    const body = editorForm(
      {
        ...(withCsrf ? { _csrf: csrf } : {}),
        _once: once,
        title: 'Mayors plant trees',
        url: 'https://example.org/news/trees',
        language: 'en',
        action: 'save',
        ...fields,
      },
      file,
    );
    return client.request({ method: 'POST', url: '/items', payload: body.payload, headers: body.headers });
  }

  const jpeg = async () => ({
    name: 'trees.jpg',
    type: 'image/jpeg',
    bytes: await picture().jpeg().toBuffer(),
  });

  it('the editor is a multipart form with a file field, its alt text and the image address beside them', async () => {
    const page = await clients.editor.get('/items/new');
    expect(page.body).toContain('enctype="multipart/form-data"');
    expect(page.body).toMatch(/<input id="f-imageFile" name="imageFile" type="file"/);
    expect(page.body).toContain('name="uploadAlt"');
    expect(page.body).toContain('name="imageUrl"');
    expect(page.body).toContain('upload.js');
  });

  it('saves an item with a picture sent in the form; the item carries the upload and the editor shows it', async () => {
    const res = await postEditor(clients.editor, { uploadAlt: 'Mayors planting an oak' }, await jpeg());
    expect(res.statusCode, res.body).toBe(303);
    const itemId = res.headers.location!.split('/').pop()!;
    const item = await getItem(web.app.ctx.store.db, itemId);
    expect(item.imageId).toMatch(/^med_/);
    expect((await findMedia(web.app.ctx.store.db, item.imageId!))!.alt).toBe('Mayors planting an oak');
    const edit = await clients.editor.get(`/items/${itemId}/edit`);
    expect(edit.body).toContain(`name="imageId" id="f-imageId" value="${item.imageId}"`);
    expect(edit.body).toMatch(
      /<img id="upload-thumb-img" src="\/media\/[0-9a-f]{64}\.jpg" alt="Mayors planting an oak">/,
    );
  });

  const html = { name: 'x.png', type: 'image/png', bytes: Buffer.from('<html><script>1</script>') };
  it.each([
    ['no alt text', null, {}, 'uploadAlt', /is required \(describe the image/],
    ['HTML named .png', html, { uploadAlt: 'A page' }, 'imageFile', /is not a JPEG, PNG, WebP or GIF image/],
  ])(
    'refuses a form picture with %s, naming the field in plain words, and saves nothing',
    async (_, file, fields, field, problem) => {
      const before = await web.app.ctx.store.db.selectFrom('items').select('id').execute();
      const res = await postEditor(clients.editor, fields, file ?? (await jpeg()));
      expect(res.statusCode).toBe(400);
      const message = res.body.match(new RegExp(`id="f-${field}-error">([^<]+)<`))?.[1];
      expect(message).toMatch(problem);
      expect(await web.app.ctx.store.db.selectFrom('items').select('id').execute()).toHaveLength(
        before.length,
      );
    },
  );

  it('refuses a picture over 15 MB in the form, saying so', async () => {
    const res = await postEditor(
      clients.editor,
      { uploadAlt: 'Too big' },
      { name: 'big.jpg', type: 'image/jpeg', bytes: Buffer.alloc(15 * 1024 * 1024 + 10, 1) },
    );
    expect(res.statusCode).toBe(400);
    expect(res.body.match(/id="f-imageFile-error">([^<]+)</)?.[1]).toMatch(/is larger than 15 MB/);
  });

  it('refuses a multipart editor form without its CSRF token', async () => {
    const res = await postEditor(clients.editor, { uploadAlt: 'No token' }, await jpeg(), false);
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('data-reason="csrf"');
  });

  it('lists uploads with thumbnail, alt text, size, date and the items using them, linked', async () => {
    const item = await createItem(
      web.app.ctx.store,
      { title: 'Library listing', url: 'https://example.org/news/listing' },
      'test',
    );
    const media = await uploadByApi('A listed picture');
    await web.app.ctx.store.db
      .updateTable('items')
      .set({ imageId: media.id })
      .where('id', '=', item.id)
      .execute();
    for (const role of ROLES) {
      const page = await clients[role].get('/media-library');
      expect(page.statusCode).toBe(can(role, 'media:read') ? 200 : 403);
      const entry = page.body.slice(page.body.indexOf(`id="m-${media.id}"`));
      expect(entry).toMatch(/<img src="\/media\/[0-9a-f]{64}\.png" alt="A listed picture"/);
      expect(entry).toContain('PNG, 64 × 48 px,');
      expect(entry).toMatch(/<time datetime="/);
      expect(entry).toContain(`<a href="/items/${item.id}">Library listing</a>`);
      expect(entry).toContain('>A listed picture</textarea>');
    }
    expect(await clients.editor.get('/')).toHaveProperty(
      'body',
      expect.stringContaining('href="/media-library"'),
    );
  });

  async function uploadByApi(alt: string, width = 64) {
    const body = multipartBody(
      { name: 'p.png', type: 'image/png', bytes: await picture(width, 48).png().toBuffer() },
      { alt },
    );
    const res = await web.http.inject({
      method: 'POST',
      url: '/api/media',
      headers: { authorization: `Bearer ${TOKEN}`, ...body.headers },
      payload: body.payload,
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    return (await findMedia(web.app.ctx.store.db, id))!;
  }

  it('edits alt text in the library (editors and admins, as the table says); a bad one is refused in plain words', async () => {
    const media = await uploadByApi('First words');
    for (const role of ROLES) {
      const client = clients[role];
      const csrf = await client.csrf();
      const res = await client.post(`/media-library/${media.id}/alt`, {
        _csrf: csrf,
        alt: `Said by the ${role}`,
      });
      expect(res.statusCode).toBe(can(role, 'media:write') ? 303 : 403);
      expect((await findMedia(web.app.ctx.store.db, media.id))!.alt).toBe(`Said by the ${role}`);
    }
    const csrf = await clients.editor.csrf();
    const empty = await clients.editor.post(`/media-library/${media.id}/alt`, { _csrf: csrf, alt: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body.match(new RegExp(`id="alt-${media.id}-error">([^<]+)<`))?.[1]).toMatch(/is required/);
    const long = await clients.editor.post(`/media-library/${media.id}/alt`, {
      _csrf: csrf,
      alt: 'x'.repeat(1001),
    });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('must be at most 1000 characters');
    const forged = await clients.editor.post(`/media-library/${media.id}/alt`, { alt: 'No token' });
    expect(forged.statusCode).toBe(403);
    expect((await findMedia(web.app.ctx.store.db, media.id))!.alt).toBe('Said by the admin');
  });

  it('refuses deleting an upload in use, naming the item; deletes an unused one with its file', async () => {
    const used = await uploadByApi('Used picture');
    const item = await createItem(
      web.app.ctx.store,
      { title: 'Uses the picture', url: 'https://example.org/news/uses', imageId: used.id },
      'test',
    );
    const csrf = await clients.editor.csrf();
    const refused = await clients.editor.post(`/media-library/${used.id}/delete`, { _csrf: csrf });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('Not deleted: the item “Uses the picture” shows this picture.');
    expect(await findMedia(web.app.ctx.store.db, used.id)).not.toBeNull();
    expect(item.imageId).toBe(used.id);

    // Its own size, so no other upload shares its file.
    const unused = await uploadByApi('Unused picture, a different size', 65);
    const store = mediaStoreFor(web.app.ctx.config);
    expect(await store.has(fileName(unused))).toBe(true);
    const forged = await clients.editor.post(`/media-library/${unused.id}/delete`, {});
    expect(forged.statusCode).toBe(403);
    const deleted = await clients.admin.post(`/media-library/${unused.id}/delete`, {
      _csrf: await clients.admin.csrf(),
    });
    expect(deleted.statusCode).toBe(can('admin', 'media:write') ? 303 : 403);
    expect(await findMedia(web.app.ctx.store.db, unused.id)).toBeNull();
    expect(await store.has(fileName(unused))).toBe(false);
  });

  it('an alt text edit asks for a feed check only when a published item shows the upload', async () => {
    const asked: string[] = [];
    const deps = {
      store: web.app.ctx.store,
      queues: { requestFeedCheck: async () => void asked.push('check') },
    };
    const media = await uploadByApi('Draft only');
    await createItem(
      web.app.ctx.store,
      { title: 'A draft', url: 'https://example.org/news/draft', imageId: media.id },
      'test',
    );
    await editMediaAlt(deps, media.id, 'Still a draft');
    expect(asked).toEqual([]);
    const published = await createItem(
      web.app.ctx.store,
      { title: 'Published', url: 'https://example.org/news/published', imageId: media.id },
      'test',
    );
    await requestPublish(web.app.ctx, published.id, { actor: 'test' });
    await editMediaAlt(deps, media.id, 'Now in the feeds');
    expect(asked).toEqual(['check']);
  });

  it('an alt text edit through the API rebuilds the feeds and reaches posts made later', async () => {
    const media = await uploadByApi('Before the edit');
    const first = await createItem(
      web.app.ctx.store,
      { title: 'Feed picture', url: 'https://example.org/news/feed-picture', imageId: media.id },
      'test',
    );
    await requestPublish(web.app.ctx, first.id, { actor: 'test' });
    const feed = () => web.http.inject({ method: 'GET', url: '/feed.xml' }).then((r) => r.body);
    await waitFor(
      async () => (await feed()).includes('Before the edit'),
      20_000,
      'the feed with the first alt',
    );

    const patched = await web.http.inject({
      method: 'PATCH',
      url: `/api/media/${media.id}`,
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: { alt: 'After the edit' },
    });
    expect(patched.statusCode).toBe(200);
    // Well within the periodic check's 30 s: the edit asked for a rebuild.
    await waitFor(async () => (await feed()).includes('After the edit'), 10_000, 'the feed with the new alt');
    expect(await feed()).not.toContain('Before the edit');

    const later = await createItem(
      web.app.ctx.store,
      { title: 'Later post', url: 'https://example.org/news/later', imageId: media.id },
      'test',
    );
    await requestPublish(web.app.ctx, later.id, { actor: 'test' });
    const post = await waitFor(async () =>
      (await listDryRunPosts(web.app.ctx.store.db)).find((p) => p.itemId === later.id),
    );
    expect(post.payload.image).toMatchObject({ alt: 'After the edit' });
  });
});
