import { lintModel } from '../../src/processes/engine';
import { PROCESS_MODEL_FILES, processModels } from '../../src/api/processes/process-models';

/** The models the product deploys, linted as Camunda 8.5 models with bpmnlint and camunda-compat: no errors, no warnings. */
describe('the product\'s BPMN models', () => {
  it('are every .bpmn file the product deploys', () => {
    expect(processModels().map((model) => model.name)).toEqual([...PROCESS_MODEL_FILES]);
  });

  it.each(processModels())('$name lints clean', async ({ xml }) => {
    expect(await lintModel(xml)).toEqual({ errors: [], warnings: [] });
  });
});
