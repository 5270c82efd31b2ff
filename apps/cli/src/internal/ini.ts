/** One key of an INI section, with the line it came from (for error messages). */
export interface IniEntry {
  readonly value: string;
  readonly line: number;
}

/** A parsed INI section. Keys are lower-cased, as Python's configparser does. */
export interface IniSection {
  readonly name: string;
  readonly line: number;
  readonly entries: ReadonlyMap<string, IniEntry>;
}

/** The parsed file: sections in file order, plus the `[DEFAULT]` section's entries. */
export interface IniDocument {
  readonly sections: ReadonlyMap<string, IniSection>;
  readonly defaults: ReadonlyMap<string, IniEntry>;
}

const iniSyntaxMarker = Symbol.for('dga.cli.error.ini-syntax');

/** A syntax error in an INI file, with its 1-based line. */
export class IniSyntaxError extends Error {
  readonly code = 'ERR_CLI_INI_SYNTAX' as const;
  readonly line: number;
  constructor(message: string, line: number) {
    super(message);
    this.name = 'IniSyntaxError';
    this.line = line;
    Object.defineProperty(this, iniSyntaxMarker, { value: true });
  }

  /** True for an `IniSyntaxError`, even from another copy of this module. */
  static isInstance(error: unknown): error is IniSyntaxError {
    return typeof error === 'object' && error !== null && iniSyntaxMarker in error;
  }
}

const sectionPattern = /^\[(?<name>[^\]]+)\]\s*$/;

/**
 * Parses INI text with the rules of Python's `configparser` in strict mode, the parser behind
 * Devo's official `modelmanager.ini` profiles: `[section]` headers, `key = value` or
 * `key: value`, full-line `#`/`;` comments, indented continuation lines, a `[DEFAULT]` section
 * inherited by every section, case-insensitive keys, and duplicate sections or keys rejected.
 * Interpolation (`%(name)s`) is not performed; values are taken literally.
 *
 * @throws {IniSyntaxError} for a duplicate section or key, a key before any section, or a line
 *   that is neither a header, a comment nor `key = value`.
 */
export function parseIni(text: string): IniDocument {
  const sections = new Map<string, { name: string; line: number; entries: Map<string, { value: string; line: number }> }>();
  const defaults = new Map<string, { value: string; line: number }>();
  let current: Map<string, { value: string; line: number }> | undefined;
  let currentName = '';
  let lastEntry: { value: string; line: number } | undefined;
  let lastIndent = 0;

  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const raw = lines[index] ?? '';
    const lineNumber = index + 1;
    const trimmed = raw.trim();
    const indent = raw.length - raw.trimStart().length;
    if (trimmed === '' ) {
      lastEntry = undefined;
      continue;
    }
    if (trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    if (lastEntry !== undefined && indent > lastIndent) {
      lastEntry.value = lastEntry.value === '' ? trimmed : `${lastEntry.value}\n${trimmed}`;
      continue;
    }
    const header = sectionPattern.exec(trimmed);
    if (header !== null && indent === 0) {
      const name = header.groups?.['name'] ?? '';
      lastEntry = undefined;
      if (name === 'DEFAULT') {
        current = defaults;
        currentName = name;
        continue;
      }
      const existing = sections.get(name);
      if (existing !== undefined) {
        throw new IniSyntaxError(`section [${name}] appears twice (lines ${existing.line} and ${lineNumber})`, lineNumber);
      }
      const entries = new Map<string, { value: string; line: number }>();
      sections.set(name, { name, line: lineNumber, entries });
      current = entries;
      currentName = name;
      continue;
    }
    const separator = /[=:]/.exec(trimmed);
    if (separator === null) {
      throw new IniSyntaxError(`expected "key = value" or a [section] header, found ${JSON.stringify(trimmed.slice(0, 40))}`, lineNumber);
    }
    const key = trimmed.slice(0, separator.index).trim().toLowerCase();
    const value = trimmed.slice(separator.index + 1).trim();
    if (key === '') throw new IniSyntaxError('a key is empty', lineNumber);
    if (current === undefined) {
      throw new IniSyntaxError(`key "${key}" comes before any [section] header`, lineNumber);
    }
    const previous = current.get(key);
    if (previous !== undefined) {
      throw new IniSyntaxError(
        `key "${key}" appears twice in [${currentName}] (lines ${previous.line} and ${lineNumber})`,
        lineNumber,
      );
    }
    lastEntry = { value, line: lineNumber };
    lastIndent = indent;
    current.set(key, lastEntry);
  }
  return { sections, defaults };
}
