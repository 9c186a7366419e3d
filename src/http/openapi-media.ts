import { errorResponse, idParam, json } from './openapi-parts.js';

const mediaFile = {
  type: 'object',
  properties: {
    url: { type: 'string', description: '/media/<sha256>.<ext>' },
    type: { type: 'string', enum: ['image/jpeg', 'image/png', 'image/webp', 'image/gif'] },
    width: { type: 'integer' },
    height: { type: 'integer' },
    bytes: { type: 'integer' },
  },
};

/** Uploaded pictures: the API and the public files. */
export const mediaSchemas = {
  Media: {
    type: 'object',
    required: ['id', 'url', 'width', 'height', 'type', 'bytes', 'alt'],
    properties: {
      id: { type: 'string' },
      ...mediaFile.properties,
      alt: { type: 'string', maxLength: 1000 },
      derivatives: {
        type: 'object',
        description:
          'Versions made for outputs (bluesky ≤ 1,000,000 bytes, x ≤ 5 MB, card and newsletter 1200 px wide); absent when the original fits',
        additionalProperties: mediaFile,
      },
      usedBy: {
        type: 'array',
        items: { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' } } },
      },
    },
  },
  MediaUpload: {
    type: 'object',
    required: ['file', 'alt'],
    properties: {
      file: {
        type: 'string',
        format: 'binary',
        description: 'JPEG, PNG, WebP or GIF, at most 15 MB; the type is read from the content',
      },
      alt: { type: 'string', minLength: 1, maxLength: 1000 },
    },
  },
  MediaPatch: {
    type: 'object',
    required: ['alt'],
    additionalProperties: false,
    properties: { alt: { type: 'string', minLength: 1, maxLength: 1000 } },
  },
};

const media = (description: string) => ({ description, ...json('Media') });

export const mediaPaths = {
  '/api/media': {
    post: {
      summary: 'Upload a picture with its alt text (EXIF and GPS removed, versions made per output)',
      requestBody: {
        required: true,
        content: { 'multipart/form-data': { schema: { $ref: '#/components/schemas/MediaUpload' } } },
      },
      responses: {
        '201': media('Stored'),
        '400': errorResponse(
          'Not a JPEG, PNG, WebP or GIF image (the problem named in fields.file), or alt text missing',
        ),
        '413': errorResponse('Larger than 15 MB'),
      },
    },
    get: {
      summary: 'List uploads with their alt text and the items using them',
      parameters: [
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
        { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
      ],
      responses: { '200': { description: 'A page of uploads' } },
    },
  },
  '/api/media/{id}': {
    get: {
      summary: 'An upload',
      parameters: idParam,
      responses: { '200': media('The upload'), '404': errorResponse('No such upload') },
    },
    patch: {
      summary: 'Edit the alt text',
      parameters: idParam,
      requestBody: { required: true, ...json('MediaPatch') },
      responses: {
        '200': media('The upload'),
        '400': errorResponse('Alt text missing or too long'),
        '404': errorResponse('No such upload'),
      },
    },
    delete: {
      summary: 'Delete an upload no item uses',
      parameters: idParam,
      responses: {
        '204': { description: 'Deleted' },
        '404': errorResponse('No such upload'),
        '409': errorResponse('In use: the message names the items'),
      },
    },
  },
  '/media/{file}': {
    get: {
      summary: 'An uploaded picture or one of its versions, by content hash (cached for a year, immutable)',
      security: [],
      parameters: [
        {
          name: 'file',
          in: 'path',
          required: true,
          schema: { type: 'string', pattern: '^[0-9a-f]{64}\\.(jpg|png|webp|gif)$' },
        },
      ],
      responses: {
        '200': { description: 'The picture, with its own type only' },
        '404': errorResponse('No such file'),
      },
    },
  },
};
