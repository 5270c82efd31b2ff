import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { mlmmEngineExtension, type MlmmEngine } from '../engines';
import { MlmmModelAlreadyExistsError, MlmmModelRejectedError } from '../mlmm-error';
import type { MlmmAddModelOptions, MlmmAddModelResult, MlmmReview } from '../mlmm-types';
import { usage, validateName } from './client-config';
import { fileError } from './file-error';
import { lookUp, type ClientContext } from './look-up-model';
import { buildModelMultipart } from './multipart';
import { pythonJsonDumps } from './python-json';
import { decodeReply, responseError } from './transport-errors';
import { reviewProblem } from './validate';

/**
 * `MlmmClient.addModel`: look up, refuse or replace, upload, save (docs/reference/mlmm-api.md §4).
 * Only the look-up is retried.
 */
export async function addModel(
  context: ClientContext,
  name: string,
  engine: MlmmEngine | (string & {}),
  fileOrBytes: string | Uint8Array,
  addOptions: MlmmAddModelOptions = {},
): Promise<MlmmAddModelResult> {
  const { jsonLimit, random } = context.config;
  const { send } = context.transport;
  validateName(name);
  if (typeof engine !== 'string' || engine === '') {
    throw usage(`Invalid engine: '${String(engine)}'`, `addModel('${name}', engine, …) needs an engine such as 'ONNX'`);
  }
  let bytes: Uint8Array;
  let fileName: string;
  if (typeof fileOrBytes === 'string') {
    const path = resolve(expandHome(fileOrBytes));
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw fileError(`Cannot read ${path}`, `addModel('${name}') needs a readable model file`, error);
    }
    fileName = addOptions.fileName ?? basename(path);
  } else if (fileOrBytes instanceof Uint8Array) {
    bytes = fileOrBytes;
    fileName = addOptions.fileName ?? `${basename(name)}${mlmmEngineExtension(engine)}`;
  } else {
    throw usage('Invalid model file', `addModel('${name}', engine, file) needs a path or a Uint8Array`);
  }
  if (fileName === '') throw usage('Invalid file name', 'options.fileName must not be empty');
  const signal = addOptions.signal;

  // 1. Look the name up (fast=True).
  const existing = await lookUp(context, name, true, signal);
  // 2. Refuse without force; nothing is uploaded.
  if (existing !== null && addOptions.force !== true) {
    throw new MlmmModelAlreadyExistsError({
      code: 'ERR_MLMM_MODEL_ALREADY_EXISTS',
      msg: `'${name}'`,
      detail: `a model named '${name}' already exists (id ${String(existing['id'])}); pass force: true to replace it in place`,
      modelName: name,
      modelId: existing['id'] as number,
    });
  }
  // 3. Upload (never retried).
  const multipart = buildModelMultipart(engine, fileName, bytes, random);
  const uploadResponse = await send({
    method: 'POST',
    path: 'models/images/upload',
    body: multipart.body,
    contentType: multipart.contentType,
    retryable: false,
    maxBytes: jsonLimit,
    signal,
  });
  const review = decodeReply(context.config, uploadResponse, 'an upload review');
  const problem = reviewProblem(review);
  if (problem !== undefined) throw responseError(context.config, uploadResponse, problem, 'an upload review');
  const reviewRecord = review as Record<string, unknown>;
  if (reviewRecord['valid'] !== true) {
    const detail = typeof reviewRecord['errorDetail'] === 'string' && reviewRecord['errorDetail'] !== '' ? reviewRecord['errorDetail'] : 'Invalid model file';
    throw new MlmmModelRejectedError({
      code: 'ERR_MLMM_MODEL_REJECTED',
      msg: detail,
      detail: `the server rejected ${fileName} for engine ${engine}; nothing was saved: check that the file is a valid ${engine} model`,
      review: reviewRecord,
    });
  }
  // 4. Save, in the Python client's key order (docs/reference/mlmm-api.md §4.4); never retried.
  const description =
    addOptions.description ?? (existing === null ? null : ((existing['description'] as string | null | undefined) ?? null));
  const saveBody: Record<string, unknown> = {
    name,
    engine,
    description,
    image: { id: reviewRecord['imageId'], size: reviewRecord['size'] },
    outputType: reviewRecord['outputType'] ?? null,
    fields: reviewRecord['fields'] ?? null,
    clusters: reviewRecord['clusters'] ?? null,
    category: reviewRecord['category'] ?? null,
    runtimeSize: reviewRecord['runtimeSize'] ?? null,
    hidden: false,
  };
  if (existing !== null) saveBody['id'] = existing['id'];
  await send({
    method: 'POST',
    path: 'models',
    body: Buffer.from(pythonJsonDumps(saveBody), 'utf8'),
    contentType: 'application/json',
    retryable: false,
    maxBytes: jsonLimit,
    signal,
  });
  return existing === null
    ? { action: 'created', review: reviewRecord as MlmmReview }
    : { action: 'updated', previousId: existing['id'] as number, review: reviewRecord as MlmmReview };
}

function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return path;
}
