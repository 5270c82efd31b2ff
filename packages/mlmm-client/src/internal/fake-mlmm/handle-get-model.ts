import type { RecordedRequest } from '../../fake-mlmm-types';
import type { FakeMlmmStore } from './fake-mlmm-store';
import { modelBody } from './model-views';

/** `GET /models/{name}?fast=True|False` (docs/reference/mlmm-api.md §4.2): the model, or 204 when absent. */
export function handleGetModel(store: FakeMlmmStore, strict: boolean, record: RecordedRequest, name: string): [number, unknown] {
  const fastValues = new URLSearchParams(record.query).getAll('fast');
  let fast = true;
  if (fastValues.length !== 1) {
    record.violations.push(`get: expected one "fast" query parameter (True or False), got ${fastValues.length}`);
  } else if (/^(true|false)$/i.test(fastValues[0]!)) {
    fast = fastValues[0]!.toLowerCase() === 'true';
  } else {
    record.violations.push(`get: "fast" should be True or False, got "${fastValues[0]!}"`);
  }
  if (strict && record.violations.length > 0) {
    return [400, { code: 400, msg: `Protocol violation: ${record.violations.join('; ')}`, cid: store.cid() }];
  }
  const model = store.models.get(name);
  if (model === undefined) return [204, undefined];
  return [200, modelBody(model, store.images.get(model.imageId), fast)];
}
