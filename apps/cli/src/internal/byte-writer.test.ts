import { describe, expect, it } from 'vitest';
import { createByteWriter } from './byte-writer';

describe('createByteWriter', () => {
  it('writes UTF-8 as TextEncoder does, growing past its first capacity, and starts afresh after take', () => {
    const writer = createByteWriter(4);
    const parts = ['a.com', 'Bücher.de', '日本', '😀', '\ud800', ','];
    for (const part of parts) writer.text(part);
    writer.byte(0x0a);
    expect(writer.take()).toEqual(new TextEncoder().encode(`${parts.join('')}\n`));
    expect(writer.length).toBe(0);
  });

  it('appends plain ASCII only, and nothing when the text holds a special, a control or a non-ASCII character', () => {
    const writer = createByteWriter(2);
    expect(writer.plainAscii('a.com', 0x22, 0x2c)).toBe(true);
    for (const text of ['a,b', 'a"b', 'a\u0001b', 'é', 'a\u007fb']) expect(writer.plainAscii(text, 0x22, 0x2c)).toBe(false);
    expect(Buffer.from(writer.take()).toString()).toBe('a.com');
  });
});
