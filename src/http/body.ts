import getRawBody from 'raw-body';
import type { Context } from 'koa';
import { HubError } from '../errors.ts';

/**
 * Reads a JSON request body with a size limit. Unparseable JSON is the one case OCPI
 * answers with HTTP 400; anything else about the content is the rules' business.
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
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HubError('INVALID_JSON', `request body is not valid JSON: ${(err as Error).message}`);
  }
}
