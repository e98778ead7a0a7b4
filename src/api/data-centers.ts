/**
 * Workato's data centers and their API base URLs (see workato-api-facts.md).
 * A workspace lives in exactly one; its token only works against that one.
 */
export const DATA_CENTERS = {
  us: 'https://www.workato.com',
  eu: 'https://app.eu.workato.com',
  jp: 'https://app.jp.workato.com',
  sg: 'https://app.sg.workato.com',
  au: 'https://app.au.workato.com',
  il: 'https://app.il.workato.com',
  kr: 'https://app.kr.workato.com',
  cn: 'https://app.workatoapp.cn',
  trial: 'https://app.trial.workato.com',
} as const satisfies Record<string, string>;

export type DataCenter = keyof typeof DATA_CENTERS;

export const DEFAULT_DATA_CENTER: DataCenter = 'us';

export function isDataCenter(value: string): value is DataCenter {
  return Object.hasOwn(DATA_CENTERS, value);
}
