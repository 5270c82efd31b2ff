import { MlmmModelNotFoundError } from '../mlmm-error';
import type { MlmmModel } from '../mlmm-types';
import type { ClientConfig } from './client-config';
import { pythonQuote } from './python-quote';
import type { Transport } from './transport';
import { decodeReply, responseError } from './transport-errors';
import { isPythonFalsy, isRecord, modelProblem } from './validate';

/** What the client's methods share: the validated options and the transport. */
export interface ClientContext {
  config: ClientConfig;
  transport: Transport;
}

/**
 * The model called `name` (`fast` leaves out the file; docs/reference/mlmm-api.md §4.1), or `null`
 * when the server answers with nothing.
 */
export async function lookUp(context: ClientContext, name: string, fast: boolean, signal: AbortSignal | undefined): Promise<Record<string, unknown> | null> {
  const { maxDownloadBytes, jsonLimit } = context.config;
  const response = await context.transport.send({
    method: 'GET',
    path: `models/${pythonQuote(name)}?fast=${fast ? 'True' : 'False'}`,
    retryable: true,
    maxBytes: fast ? jsonLimit : { limit: maxDownloadBytes, option: 'maxDownloadBytes' },
    signal,
  });
  const decoded = decodeReply(context.config, response, 'a model');
  if (isPythonFalsy(decoded)) return null;
  const problem = modelProblem(decoded);
  if (problem !== undefined) throw responseError(context.config, response, problem, 'a model');
  const model = decoded as Record<string, unknown>;
  if (!fast) {
    const image = model['image'];
    if (!isRecord(image) || typeof image['image'] !== 'string') {
      throw responseError(context.config, response, '"image.image" should be the base64 model file', 'a model');
    }
  }
  return model;
}

/** The model without its file. */
export function withoutImage(model: Record<string, unknown>): MlmmModel {
  const rest = { ...model };
  delete rest['image'];
  return rest as MlmmModel;
}

/** The error of a name the server does not know. */
export function notFound(config: ClientConfig, name: string): MlmmModelNotFoundError {
  return new MlmmModelNotFoundError({
    code: 'ERR_MLMM_MODEL_NOT_FOUND',
    msg: `'${name}'`,
    detail: `no model named '${name}' at ${config.displayPrefix}; list the models to check the name (names are exact and case-sensitive)`,
    modelName: name,
  });
}
