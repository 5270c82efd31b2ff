import { errorModelViolations } from '@dga/test-support';
import { describe, expect, it, vi } from 'vitest';
import { RunDirectoryError } from './run-directory';
import { TrainingConfigError, loadTrainingConfigFile } from './training-config';

describe('the errors of @dga/pipeline', () => {
  it('have a string code and an isInstance that works across package copies', async () => {
    const config = new TrainingConfigError('train.json: "epochs": expected a positive integer, got 0');
    const directory = new RunDirectoryError('ERR_TRAINER_OUT_FORBIDDEN', '/home/me', 'refusing to replace your home folder');
    vi.resetModules();
    expect(errorModelViolations([[TrainingConfigError, config]], await import('./training-config'))).toEqual([]);
    expect(errorModelViolations([[RunDirectoryError, directory]], await import('./run-directory'))).toEqual([]);
    expect([TrainingConfigError.isInstance(directory), RunDirectoryError.isInstance(config)]).toEqual([false, false]);
  });

  it('keeps the file-system error of an unreadable config as the cause', () => {
    let error: unknown;
    try {
      loadTrainingConfigFile('/nonexistent/dga/train.json');
    } catch (thrown) {
      error = thrown;
    }
    expect(TrainingConfigError.isInstance(error)).toBe(true);
    expect((error as TrainingConfigError).cause).toMatchObject({ code: 'ENOENT' });
  });
});
