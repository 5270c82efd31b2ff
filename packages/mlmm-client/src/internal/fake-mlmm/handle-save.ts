import type { IncomingMessage } from 'node:http';
import type { RecordedRequest } from '../../fake-mlmm-types';
import { isRecord } from '../validate';
import type { FakeMlmmStore } from './fake-mlmm-store';

const saveKeyOrder = ['name', 'engine', 'description', 'image', 'outputType', 'fields', 'clusters', 'category', 'runtimeSize', 'hidden'];

/** Records each way `body` differs from the official client's save body (docs/reference/mlmm-api.md §4.4). */
function checkSaveBody(body: unknown, violations: string[]): body is Record<string, unknown> {
  if (!isRecord(body)) {
    violations.push('save: body should be a JSON object');
    return false;
  }
  const keys = Object.keys(body);
  const expected = 'id' in body ? [...saveKeyOrder, 'id'] : saveKeyOrder;
  for (const key of keys) if (!expected.includes(key)) violations.push(`save: unexpected key "${key}"`);
  for (const key of expected) if (!keys.includes(key)) violations.push(`save: missing key "${key}"`);
  if (violations.length === 0 && keys.join(',') !== expected.join(',')) {
    violations.push(`save: keys in order ${keys.join(',')}, the official client sends ${expected.join(',')}`);
  }
  const check = (key: string, ok: (value: unknown) => boolean, what: string): void => {
    if (key in body && !ok(body[key])) violations.push(`save: "${key}" should be ${what}, got ${JSON.stringify(body[key])}`);
  };
  const nullOr = (test: (value: unknown) => boolean) => (value: unknown) => value === null || test(value);
  check('name', (value) => typeof value === 'string' && value !== '', 'a non-empty string');
  check('engine', (value) => typeof value === 'string', 'a string');
  check('description', nullOr((value) => typeof value === 'string'), 'a string or null');
  check(
    'image',
    (value) =>
      isRecord(value) &&
      Object.keys(value).join(',') === 'id,size' &&
      Number.isInteger(value['id']) &&
      Number.isInteger(value['size']),
    'an object {id, size} of integers',
  );
  check('outputType', nullOr((value) => typeof value === 'string'), 'a string or null');
  check('fields', nullOr(Array.isArray), 'an array or null');
  check('clusters', nullOr(Array.isArray), 'an array or null');
  check('category', nullOr((value) => typeof value === 'string'), 'a string or null');
  check('runtimeSize', nullOr((value) => typeof value === 'number'), 'a number or null');
  check('hidden', (value) => typeof value === 'boolean', 'a boolean');
  check('id', (value) => Number.isInteger(value), 'an integer');
  return true;
}

/** `POST /models` (docs/reference/mlmm-api.md §4.4): creates a model, or updates it in place when the body has its `id`. */
export function handleSave(store: FakeMlmmStore, strict: boolean, record: RecordedRequest, request: IncomingMessage): [number, unknown] {
  const contentType = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) record.violations.push(`save: Content-Type should be application/json, got "${contentType}"`);
  let body: unknown;
  try {
    body = JSON.parse(record.body.toString('utf8'));
  } catch {
    record.violations.push('save: body is not JSON');
    return [400, { code: 400, msg: 'Malformed JSON', cid: store.cid() }];
  }
  const wellFormed = checkSaveBody(body, record.violations);
  if (!wellFormed || (strict && record.violations.length > 0)) {
    return [400, { code: 400, msg: `Protocol violation: ${record.violations.join('; ')}`, cid: store.cid() }];
  }
  const save = body as Record<string, unknown>;
  const name = String(save['name']);
  const imageRecord = isRecord(save['image']) ? save['image'] : {};
  const image = store.images.get(Number(imageRecord['id']));
  if (image === undefined) return [400, { code: 400, msg: `Image ${String(imageRecord['id'])} not found`, cid: store.cid() }];
  if (imageRecord['size'] !== image.bytes.length) {
    record.violations.push(`save: image.size ${String(imageRecord['size'])} differs from the uploaded ${image.bytes.length} bytes`);
    if (strict) return [400, { code: 400, msg: `Protocol violation: ${record.violations.join('; ')}`, cid: store.cid() }];
  }
  const existing = store.models.get(name);
  const time = store.now();
  const derived = {
    engine: String(save['engine']),
    description: (save['description'] as string | null | undefined) ?? null,
    outputType: save['outputType'] ?? null,
    category: save['category'] ?? null,
    fields: save['fields'] ?? [],
    clusters: save['clusters'] ?? [],
    runtimeSize: save['runtimeSize'] ?? null,
    hidden: save['hidden'] === true,
    imageId: image.id,
  };
  if ('id' in save) {
    if (existing === undefined || existing.id !== save['id']) {
      return [400, { code: 400, msg: `Model id ${String(save['id'])} does not belong to a model named '${name}'`, cid: store.cid() }];
    }
    store.models.set(name, { ...existing, ...derived, updateDate: time });
    return [204, undefined];
  }
  if (existing !== undefined) return [409, { code: 409, msg: `Model '${name}' already exists`, cid: store.cid() }];
  const id = store.newModelId();
  store.models.set(name, { id, name, ...derived, creationDate: time, updateDate: time, domainName: 'self', parentId: id });
  return [204, undefined];
}
