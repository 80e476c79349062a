import getRawBody from 'raw-body';
import type { Context } from 'koa';
import { HubError, invalid } from '../errors.ts';
import { bodyProblem } from './text.ts';

/** `application/json`, or a `+json` type, with any parameters (charset). */
const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * Reads a JSON request body with a size limit. A body must say it is JSON (415 otherwise);
 * unparseable JSON is the one case OCPI answers with HTTP 400; text PostgreSQL cannot store
 * is a 2001 naming the field; anything else about the content is the rules' business.
 */
export async function readJsonBody(ctx: Context, limitBytes: number): Promise<unknown> {
  let text: string;
  try {
    text = await getRawBody(ctx.req, { limit: limitBytes, encoding: 'utf8', length: ctx.request.length });
  } catch (err) {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') throw new HubError('PAYLOAD_TOO_LARGE', `request body exceeds ${limitBytes} bytes`);
    throw new HubError('INVALID_JSON', 'request body could not be read');
  }
  if (text.trim() === '') return undefined;
  const type = (ctx.get('content-type').split(';')[0] ?? '').trim();
  if (!JSON_TYPE.test(type)) throw new HubError('UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/json, not ${type ? JSON.stringify(type) : 'absent'}`);
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch (err) {
    throw new HubError('INVALID_JSON', `request body is not valid JSON: ${(err as Error).message}`);
  }
  const problem = bodyProblem(body);
  if (problem) throw invalid(problem);
  return body;
}
