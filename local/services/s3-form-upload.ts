// A browser-form upload (POST Object, multipart/form-data) read whole and parsed before s3rver
// sees it. s3rver's form handling threw from inside its parser's events, where nothing catches,
// and the process ended: on a body cut short before its closing boundary, on a part without a
// name, on a storage class it does not know. This middleware, placed before s3rver's routes,
// parses the form with Node's own FormData reader (a body it cannot read is S3's
// MalformedPOSTRequest), checks the storage class, and hands s3rver the same fields written
// afresh, a form its parser reads without surprise.
import { Readable } from 'node:stream';
import { readBody } from './emulators.ts';
import type { S3rverModels } from './s3-store.ts';

/** The parts of a Koa context (s3rver's) the middleware reads and sets. */
interface FormContext {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  req: NodeJS.ReadableStream;
}

const isForm = (contentType: string | string[] | undefined): contentType is string =>
  typeof contentType === 'string' && /^\s*multipart\/form-data\b/i.test(contentType);

/** `storageClasses`: the ones S3 takes (s3rver's S3Object.STORAGE_CLASSES). */
export function formUploads(S3Error: S3rverModels['S3Error'], storageClasses: readonly string[]) {
  return async (ctx: FormContext, next: () => Promise<void>): Promise<void> => {
    const contentType = ctx.headers['content-type'];
    if (ctx.method !== 'POST' || !isForm(contentType)) return next();
    let form: FormData;
    try {
      form = await new Response(await readBody(ctx.req), { headers: { 'content-type': contentType } }).formData();
    } catch {
      throw new S3Error('MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.');
    }
    for (const [name, value] of form) {
      if (name.toLowerCase() === 'x-amz-storage-class' && !storageClasses.includes(String(value))) {
        throw new S3Error('InvalidStorageClass', 'The storage class you specified is not valid');
      }
    }
    const written = new Response(form);
    const body = Buffer.from(await written.arrayBuffer());
    // s3rver's parser reads the boundary from the request's own headers.
    ctx.headers['content-type'] = written.headers.get('content-type')!;
    ctx.headers['content-length'] = String(body.length);
    ctx.req = Readable.from([body]);
    await next();
  };
}
