// JSON request bodies: size-limited, must be application/json, parsed and validated by a zod schema.
// Every failure is a 4xx with a stable code, never a 500.
import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError } from './api-error.ts';

export const MAX_BODY_BYTES = 16 * 1024;

function isJson(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/json' || (mediaType?.endsWith('+json') ?? false);
}

function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'The request body is invalid';
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message}`;
}

/**
 * Reads and validates a JSON body. With `optional`, an empty body validates as `{}` (so bodiless
 * POSTs work); otherwise an empty body is invalid.
 */
export async function readJsonBody<S extends z.ZodType>(
  c: Context,
  schema: S,
  options: { optional?: boolean } = {},
): Promise<z.output<S>> {
  const text = await c.req.text();
  let value: unknown = {};
  if (text.trim() !== '' || !options.optional) {
    if (!isJson(c.req.header('Content-Type'))) {
      throw new ApiError(415, 'unsupported_media_type', 'The request body must be application/json');
    }
    try {
      value = JSON.parse(text);
    } catch {
      throw new ApiError(400, 'invalid_json', 'The request body is not valid JSON');
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError(400, 'invalid_body', describeIssues(result.error));
  return result.data;
}
