import { describe, expect, it } from 'vitest';
import { IniSyntaxError, parseIni } from './ini';

describe('parseIni', () => {
  it('reads sections, key = value and key: value, lower-casing keys and trimming values', () => {
    const document = parseIni('[prod]\nURL = https://x.example/mlmodelmanager/ \nToken: abc\n\n[dev]\nurl=http://localhost:1\n');
    expect([...document.sections.keys()]).toEqual(['prod', 'dev']);
    expect(document.sections.get('prod')?.entries.get('url')).toEqual({ value: 'https://x.example/mlmodelmanager/', line: 2 });
    expect(document.sections.get('prod')?.entries.get('token')?.value).toBe('abc');
  });

  it('skips # and ; comment lines and joins indented continuation lines', () => {
    const document = parseIni('# top\n[a]\n; note\nkey = first\n  second\nother = 1\n');
    expect(document.sections.get('a')?.entries.get('key')?.value).toBe('first\nsecond');
    expect(document.sections.get('a')?.entries.get('other')?.value).toBe('1');
  });

  it('keeps [DEFAULT] entries apart as defaults', () => {
    const document = parseIni('[DEFAULT]\nauth_type = bearer\n[p]\nurl = http://h/\n');
    expect(document.defaults.get('auth_type')?.value).toBe('bearer');
    expect(document.sections.has('DEFAULT')).toBe(false);
  });

  it('rejects a duplicate section, naming both lines', () => {
    expect(() => parseIni('[a]\nx=1\n[a]\ny=2\n')).toThrow(/section \[a\] appears twice \(lines 1 and 3\)/);
  });

  it('rejects a duplicate key in one section, case-insensitively', () => {
    try {
      parseIni('[a]\ntoken = 1\nTOKEN = 2\n');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(IniSyntaxError);
      expect((error as IniSyntaxError).line).toBe(3);
      expect((error as Error).message).toBe('key "token" appears twice in [a] (lines 2 and 3)');
    }
  });

  it('rejects a key before any section and a line that is not key = value', () => {
    expect(() => parseIni('token = 1\n')).toThrow(/before any \[section\]/);
    expect(() => parseIni('[a]\njust words\n')).toThrow(/expected "key = value"/);
  });
});
