import { ModelInputError } from '../../../src/ml/yield';

/** The code of the ModelInputError a call throws, or 'no error'; any other error fails the test. */
export function modelInputErrorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelInputError);
    return (error as ModelInputError).code;
  }
  return 'no error';
}
