/** One part of a multipart/form-data body. */
export interface ParsedPart {
  /** Header lines as sent, `[name, value]`. */
  headers: [string, string][];
  /** `name` parameter of Content-Disposition. */
  name: string | undefined;
  /** `filename` parameter of Content-Disposition, when present. */
  filename: string | undefined;
  data: Buffer;
}

/** Result of {@link parseMultipartStrict}: the parts it could read and every violation seen. */
export interface ParsedMultipart {
  parts: ParsedPart[];
  violations: string[];
}

/** The boundary of a `multipart/form-data; boundary=…` Content-Type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const [type, ...parameters] = contentType.split(';');
  if (type?.trim().toLowerCase() !== 'multipart/form-data') return undefined;
  for (const parameter of parameters) {
    const match = /^\s*boundary=(?:"([^"]+)"|([^\s;]+))\s*$/i.exec(parameter);
    if (match) return match[1] ?? match[2];
  }
  return undefined;
}

function parseDisposition(value: string): { type: string; parameters: Map<string, string> } {
  const [type = '', ...rest] = value.split(';');
  const parameters = new Map<string, string>();
  const text = rest.join(';');
  const pattern = /\s*([A-Za-z*]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))\s*(?:;|$)/g;
  for (const match of text.matchAll(pattern)) {
    parameters.set(match[1]!.toLowerCase(), match[2] ?? match[3] ?? '');
  }
  return { type: type.trim().toLowerCase(), parameters };
}

/**
 * Parses a multipart body strictly (RFC 7578 framing with CRLF). Anything a lenient server might
 * let through — missing CRLFs, a preamble, an epilogue other than CRLF, headers other than
 * Content-Disposition — is reported in `violations`.
 */
export function parseMultipartStrict(body: Buffer, boundary: string): ParsedMultipart {
  const violations: string[] = [];
  const parts: ParsedPart[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  const separator = Buffer.from(`\r\n--${boundary}`);
  if (!body.subarray(0, delimiter.length).equals(delimiter)) {
    violations.push('multipart: the body does not start with the boundary delimiter (preamble or wrong boundary)');
    const first = body.indexOf(delimiter);
    if (first < 0) {
      violations.push('multipart: boundary not found in the body');
      return { parts, violations };
    }
    body = body.subarray(first);
  }
  let position = delimiter.length;
  for (;;) {
    const after = body.subarray(position, position + 2).toString('latin1');
    if (after === '--') {
      const epilogue = body.subarray(position + 2);
      if (epilogue.length > 0 && epilogue.toString('latin1') !== '\r\n') {
        violations.push('multipart: unexpected bytes after the closing delimiter');
      }
      if (epilogue.length === 0) violations.push('multipart: the closing delimiter is not followed by CRLF');
      break;
    }
    if (after !== '\r\n') {
      violations.push('multipart: a boundary delimiter is not followed by CRLF');
      break;
    }
    position += 2;
    const headerEnd = body.indexOf('\r\n\r\n', position);
    const next = body.indexOf(separator, position);
    if (next < 0) {
      violations.push('multipart: missing closing delimiter');
      break;
    }
    let headers: [string, string][] = [];
    let dataStart: number;
    if (body.subarray(position, position + 2).toString('latin1') === '\r\n') {
      dataStart = position + 2; // no headers at all
    } else if (headerEnd < 0 || headerEnd > next) {
      violations.push(`multipart: part ${parts.length + 1} has no blank line after its headers`);
      break;
    } else {
      headers = body
        .subarray(position, headerEnd)
        .toString('utf8')
        .split('\r\n')
        .map((line): [string, string] => {
          const colon = line.indexOf(':');
          return colon < 0 ? [line, ''] : [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
        });
      dataStart = headerEnd + 4;
    }
    const index = parts.length + 1;
    let name: string | undefined;
    let filename: string | undefined;
    let dispositions = 0;
    for (const [headerName, value] of headers) {
      if (headerName.toLowerCase() === 'content-disposition') {
        dispositions++;
        const disposition = parseDisposition(value);
        if (disposition.type !== 'form-data') violations.push(`multipart: part ${index} Content-Disposition is "${disposition.type}", not form-data`);
        name = disposition.parameters.get('name');
        filename = disposition.parameters.get('filename');
      } else if (headerName.toLowerCase() === 'content-type') {
        violations.push(`multipart: part ${index} has its own Content-Type "${value}" (the official client sends none)`);
      } else {
        violations.push(`multipart: part ${index} has an unexpected header "${headerName}"`);
      }
    }
    if (dispositions !== 1) violations.push(`multipart: part ${index} has ${dispositions} Content-Disposition headers, expected 1`);
    parts.push({ headers, name, filename, data: body.subarray(dataStart, next) });
    position = next + separator.length;
  }
  return { parts, violations };
}
