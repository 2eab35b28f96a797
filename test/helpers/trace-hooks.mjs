import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (process.env.NBSECURE_TRACE) appendFileSync(process.env.NBSECURE_TRACE, `${result.url}\n`);
  return result;
}
