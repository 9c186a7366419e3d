import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { mediaStoreFor, uploadMedia } from '../../app/media.js';
import type { Context } from '../../app/context.js';
import { ValidationError, type FieldErrors } from '../../domain/errors.js';
import { MEDIA_LIMITS } from '../../domain/media.js';
import { one, type FormBody } from './item-form.js';

// The editor's picture upload without JavaScript: the form is multipart, its file field goes through the same
// use case as POST /api/media and the item gets the new upload's id. (With JavaScript, upload.js sends the file
// to POST /api/media at once and the form only carries the id.)

/** The editor's file field, and the alt text field that goes with it. */
export const UPLOAD_FIELD = 'imageFile';
export const UPLOAD_ALT_FIELD = 'uploadAlt';

/** A file part as the pages' multipart parser leaves it in the body. */
interface FormFile {
  kind: 'form-file';
  bytes: Buffer;
  truncated: boolean;
}

/** @fastify/multipart options for the staff pages: text fields as strings, one picture at most. */
export const PAGE_MULTIPART = {
  attachFieldsToBody: 'keyValues' as const,
  throwFileSizeLimit: false,
  limits: { fileSize: MEDIA_LIMITS.bytes, files: 1, fields: 1_000, fieldSize: 1024 * 1024 },
  async onFile(part: MultipartFile) {
    const bytes = await part.toBuffer();
    if (part.fieldname !== UPLOAD_FIELD)
      throw new ValidationError({ [part.fieldname]: 'is not a file field of this form' });
    const file: FormFile = { kind: 'form-file', bytes, truncated: part.file.truncated };
    (part as unknown as { value: FormFile }).value = file;
  },
};

function formFile(body: unknown): FormFile | null {
  const value = (body as Record<string, unknown> | null)?.[UPLOAD_FIELD];
  const file = value as FormFile | undefined;
  // An empty file input still sends an empty part.
  return file?.kind === 'form-file' && file.bytes.length > 0 ? file : null;
}

/** The upload's problems as the form names its fields. */
function formUploadErrors(fields: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [key, problem] of Object.entries(fields))
    out[key === 'alt' ? UPLOAD_ALT_FIELD : key === 'file' ? UPLOAD_FIELD : key] = problem;
  return out;
}

/**
 * Stores the picture the form carries, if any, and answers the upload's id (or null when none came).
 * Refusals are ValidationErrors naming the form's fields (imageFile, uploadAlt).
 */
export async function uploadFromForm(ctx: Context, request: FastifyRequest): Promise<string | null> {
  const file = formFile(request.body);
  if (!file) return null;
  if (file.truncated)
    throw new ValidationError({
      [UPLOAD_FIELD]: `is larger than ${MEDIA_LIMITS.bytes / 1_048_576} MB: make it smaller and upload it again`,
    });
  const alt = one(request.body as FormBody, UPLOAD_ALT_FIELD);
  try {
    const media = await uploadMedia(
      ctx.store,
      mediaStoreFor(ctx.config),
      { bytes: file.bytes, alt },
      request.actor,
    );
    return media.id;
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError(formUploadErrors(error.fields));
    throw error;
  }
}
