export { startFakeMlmmServer } from './fake-mlmm-server';
export type {
  FakeMlmmFailure,
  FakeMlmmMatch,
  FakeMlmmModel,
  FakeMlmmServer,
  FakeMlmmServerOptions,
  FakeMlmmUpload,
  RecordedRequest,
} from './fake-mlmm-types';
