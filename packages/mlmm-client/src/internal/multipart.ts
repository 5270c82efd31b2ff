import { randomHex } from './random-hex';

/** A multipart body laid out as `requests`/urllib3 lays it out for the official client (docs/reference/mlmm-api.md §4.3). */
export interface MultipartBody {
  contentType: string;
  body: Buffer;
}

/** urllib3's `format_multipart_header_param`: `\n`, `\r` and `"` become `%0A`, `%0D`, `%22`. */
function headerParam(value: string): string {
  return value.replaceAll('\n', '%0A').replaceAll('\r', '%0D').replaceAll('"', '%22');
}

/**
 * Builds the upload body: part `engine` first, then part `fileName` with `filename="<base name>"`,
 * no per-part Content-Type, CRLF line ends, a 32-hex-character boundary (like urllib3's) that
 * does not occur in the file.
 */
export function buildModelMultipart(
  engine: string,
  fileName: string,
  bytes: Uint8Array,
  random: () => number,
): MultipartBody {
  const file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let boundary = randomHex(random, 32);
  while (file.includes(boundary) || engine.includes(boundary)) boundary = randomHex(random, 32);
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="engine"\r\n\r\n${engine}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="fileName"; filename="${headerParam(fileName)}"\r\n\r\n`,
      'utf8',
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'),
  ]);
  return { contentType: `multipart/form-data; boundary=${boundary}`, body };
}
