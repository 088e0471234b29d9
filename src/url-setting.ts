import { z } from 'zod';

/**
 * An optional URL setting: unset or empty is undefined; otherwise it must parse and
 * pass `accept`, or `message` is the problem start-up reports.
 */
export function urlSetting(accept: (url: URL) => boolean, message: string) {
  return z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const url = URL.canParse(v) ? new URL(v) : null;
      if (url === null || !accept(url)) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return v;
    });
}
