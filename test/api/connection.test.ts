import { describe, expect, it } from 'vitest';
import { resolveBaseUrl, resolveConnection } from '../../src/api/connection.js';
import { DATA_CENTERS } from '../../src/api/data-centers.js';
import { UsageError } from '../../src/errors.js';

const TOKEN_ENV = { WORKATO_API_TOKEN: 'tok' };

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('resolveBaseUrl precedence', () => {
  const all = {
    apiUrl: 'https://flag.example.com',
    dataCenter: 'eu',
    workspace: { apiUrl: 'https://file.example.com', dataCenter: 'jp' },
    env: { WORKATO_API_URL: 'https://env.example.com', WORKATO_DATA_CENTER: 'sg' },
  };

  it('takes --api-url first', () => {
    expect(resolveBaseUrl(all)).toBe('https://flag.example.com');
  });

  it('then WORKATO_API_URL', () => {
    expect(resolveBaseUrl({ ...all, apiUrl: undefined })).toBe('https://env.example.com');
  });

  it('then --data-center', () => {
    expect(resolveBaseUrl({ ...all, apiUrl: undefined, env: { WORKATO_DATA_CENTER: 'sg' } })).toBe(
      DATA_CENTERS.eu,
    );
  });

  it('then WORKATO_DATA_CENTER, over the config file', () => {
    expect(resolveBaseUrl({ workspace: all.workspace, env: { WORKATO_DATA_CENTER: 'sg' } })).toBe(
      DATA_CENTERS.sg,
    );
  });

  it("then the config's api_url, then its data_center", () => {
    expect(resolveBaseUrl({ workspace: all.workspace, env: {} })).toBe('https://file.example.com');
    expect(resolveBaseUrl({ workspace: { dataCenter: 'jp' }, env: {} })).toBe(DATA_CENTERS.jp);
  });

  it('defaults to us', () => {
    expect(resolveBaseUrl({ env: {} })).toBe('https://www.workato.com');
  });

  it('treats empty values as unset', () => {
    expect(resolveBaseUrl({ apiUrl: '', env: { WORKATO_API_URL: ' ', WORKATO_DATA_CENTER: 'kr' } })).toBe(
      DATA_CENTERS.kr,
    );
  });

  it('knows every data center, case-insensitively', () => {
    expect(DATA_CENTERS).toEqual({
      us: 'https://www.workato.com',
      eu: 'https://app.eu.workato.com',
      jp: 'https://app.jp.workato.com',
      sg: 'https://app.sg.workato.com',
      au: 'https://app.au.workato.com',
      il: 'https://app.il.workato.com',
      kr: 'https://app.kr.workato.com',
      cn: 'https://app.workatoapp.cn',
      trial: 'https://app.trial.workato.com',
    });
    expect(resolveBaseUrl({ dataCenter: 'EU', env: {} })).toBe(DATA_CENTERS.eu);
  });
});

describe('resolveBaseUrl checks', () => {
  it('strips trailing slashes and keeps a path prefix', () => {
    expect(resolveBaseUrl({ apiUrl: 'https://www.workato.com/', env: {} })).toBe('https://www.workato.com');
    expect(resolveBaseUrl({ apiUrl: 'https://proxy.example.com/workato//', env: {} })).toBe(
      'https://proxy.example.com/workato',
    );
  });

  it('refuses plain http for a remote host', () => {
    const error = thrown(() => resolveBaseUrl({ apiUrl: 'http://www.workato.com', env: {} }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/http:\/\/ is refused for www\.workato\.com.*unencrypted/);
    // A host that only starts like a loopback name is still remote.
    expect(() => resolveBaseUrl({ apiUrl: 'http://127.0.0.1.example.com', env: {} })).toThrow(UsageError);
    expect(() => resolveBaseUrl({ apiUrl: 'http://localhost.example.com', env: {} })).toThrow(UsageError);
  });

  it('allows plain http on loopback', () => {
    expect(resolveBaseUrl({ apiUrl: 'http://127.0.0.1:4010/', env: {} })).toBe('http://127.0.0.1:4010');
    expect(resolveBaseUrl({ apiUrl: 'http://127.8.9.10', env: {} })).toBe('http://127.8.9.10');
    expect(resolveBaseUrl({ apiUrl: 'http://localhost:3000', env: {} })).toBe('http://localhost:3000');
    expect(resolveBaseUrl({ apiUrl: 'http://[::1]:8080', env: {} })).toBe('http://[::1]:8080');
  });

  it('refuses other schemes, credentials, queries', () => {
    expect(() => resolveBaseUrl({ apiUrl: 'ftp://www.workato.com', env: {} })).toThrow(UsageError);
    const creds = thrown(() => resolveBaseUrl({ apiUrl: 'https://user:hunter2@www.workato.com', env: {} }));
    expect(creds).toBeInstanceOf(UsageError);
    expect(creds.message).not.toContain('hunter2');
    expect(() => resolveBaseUrl({ apiUrl: 'https://www.workato.com/?x=1', env: {} })).toThrow(UsageError);
    expect(() => resolveBaseUrl({ env: { WORKATO_API_URL: 'not a url' } })).toThrow(/WORKATO_API_URL/);
  });

  it('lists the valid data centers for an unknown one, naming where it came from', () => {
    const error = thrown(() => resolveBaseUrl({ env: { WORKATO_DATA_CENTER: 'mars' } }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      'WORKATO_DATA_CENTER: unknown data center "mars"; valid ones: us, eu, jp, sg, au, il, kr, cn, trial',
    );
  });
});

describe('resolveConnection', () => {
  it('reads the token from WORKATO_API_TOKEN', () => {
    expect(resolveConnection({ dataCenter: 'au', env: { WORKATO_API_TOKEN: ' tok-1 ' } })).toEqual({
      baseUrl: DATA_CENTERS.au,
      token: 'tok-1',
    });
  });

  it('refuses a missing or empty token with a clear line', () => {
    for (const env of [{}, { WORKATO_API_TOKEN: '' }, { WORKATO_API_TOKEN: '  ' }]) {
      const error = thrown(() => resolveConnection({ env }));
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toMatch(/^WORKATO_API_TOKEN is not set/);
    }
  });

  it('refuses a token that cannot be a header value, without echoing it', () => {
    const error = thrown(() => resolveConnection({ env: { WORKATO_API_TOKEN: 'abc\ndef-secret' } }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).not.toContain('def-secret');
  });

  it('checks the token before the URL', () => {
    expect(() => resolveConnection({ apiUrl: 'http://example.com', env: {} })).toThrow(/WORKATO_API_TOKEN/);
    expect(() => resolveConnection({ apiUrl: 'http://example.com', env: TOKEN_ENV })).toThrow(/refused/);
  });
});
