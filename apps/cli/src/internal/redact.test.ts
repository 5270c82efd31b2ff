import { describe, expect, it } from 'vitest';
import { redactUrl, redactUrls, scrubSecrets } from './redact';

describe('redactUrl', () => {
  it.each([
    ['https://user:secret@host.example/path', 'https://host.example/path'],
    ['https://host.example/a?token=abc&page=2', 'https://host.example/a?token=***&page=2'],
    ['https://host.example/a?api_key=1&apiKey=2&password=3&secret=4&Signature=5&sig=6', 'https://host.example/a?api_key=***&apiKey=***&password=***&secret=***&Signature=***&sig=***'],
    ['https://b.s3.amazonaws.com/k?X-Amz-Security-Token=t&X-Amz-Date=d', 'https://b.s3.amazonaws.com/k?X-Amz-Security-Token=***&X-Amz-Date=***'],
    ['https://host.example/cb#access_token=abc', 'https://host.example/cb#…'],
    ['http://host.example:8080/plain?q=1', 'http://host.example:8080/plain?q=1'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('redactUrls and scrubSecrets', () => {
  it('redact every URL in a message and every registered secret', () => {
    const message = 'GET https://u:p@h.example/models?token=zz9 failed; retry https://h.example/ok with t0ken-value';
    expect(redactUrls(message)).toBe('GET https://h.example/models?token=*** failed; retry https://h.example/ok with t0ken-value');
    expect(scrubSecrets(message, ['t0ken-value'])).toBe('GET https://h.example/models?token=*** failed; retry https://h.example/ok with ***');
  });
});
