import type { IncomingMessage } from 'node:http';
import { mlmmEngines } from '../../engines';
import type { RecordedRequest } from '../../fake-mlmm-types';
import { multipartBoundary, parseMultipartStrict } from '../multipart-parser';
import type { FakeMlmmStore } from './fake-mlmm-store';

/** `POST /models/images/upload` (docs/reference/mlmm-api.md §4.3): checks the multipart body strictly and answers a review. */
export function handleUpload(store: FakeMlmmStore, strict: boolean, record: RecordedRequest, request: IncomingMessage): [number, unknown] {
  const boundary = multipartBoundary(request.headers['content-type']);
  if (boundary === undefined) {
    record.violations.push(`upload: Content-Type should be multipart/form-data with a boundary, got "${request.headers['content-type'] ?? ''}"`);
    return [415, { code: 415, msg: 'HTTP 415 Unsupported Media Type', cid: store.cid() }];
  }
  const parsed = parseMultipartStrict(record.body, boundary);
  record.violations.push(...parsed.violations);
  const [first, second] = parsed.parts;
  if (parsed.parts.length !== 2) record.violations.push(`multipart: expected 2 parts (engine, fileName), got ${parsed.parts.length}`);
  if (first?.name !== 'engine') record.violations.push(`multipart: part 1 should be "engine", got "${first?.name ?? ''}"`);
  if (first?.filename !== undefined) record.violations.push('multipart: part "engine" should have no filename');
  if (second?.name !== 'fileName') record.violations.push(`multipart: part 2 should be "fileName", got "${second?.name ?? ''}"`);
  if (second !== undefined && second.filename === undefined) record.violations.push('multipart: part "fileName" has no filename parameter');
  const enginePart = parsed.parts.find((part) => part.name === 'engine');
  const filePart = parsed.parts.find((part) => part.name === 'fileName');
  if (enginePart === undefined || filePart === undefined) {
    return [400, { code: 400, msg: 'Missing multipart part "engine" or "fileName"', cid: store.cid() }];
  }
  if (strict && record.violations.length > 0) return [400, { code: 400, msg: `Protocol violation: ${record.violations.join('; ')}`, cid: store.cid() }];
  const engine = enginePart.data.toString('utf8');
  if (!(mlmmEngines as readonly string[]).includes(engine)) {
    return [500, { code: 500, msg: `No enum constant com.devo.mlx.malevolo.common.enums.EngineType.${engine}`, cid: store.cid() }];
  }
  const fileName = filePart.filename ?? '';
  const bytes = new Uint8Array(filePart.data);
  if (bytes.length === 0) {
    return [
      200,
      { valid: false, errorDetail: 'Invalid image: the file is empty', imageId: null, size: 0, outputType: null, category: null, fields: [], clusters: [], fileName, runtimeSize: null },
    ];
  }
  const image = store.storeImage(engine, fileName, bytes);
  const derived = store.deriveReview({ engine, fileName, bytes });
  return [
    200,
    {
      valid: true,
      errorDetail: null,
      imageId: image.id,
      size: bytes.length,
      outputType: derived['outputType'] ?? null,
      category: derived['category'] ?? null,
      fields: derived['fields'] ?? [],
      clusters: derived['clusters'] ?? [],
      fileName,
      runtimeSize: derived['runtimeSize'] ?? null,
    },
  ];
}
