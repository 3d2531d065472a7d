export * from './process-engine';
export { lintModel, DEFAULT_ZEEBE_TARGET, type LintReport, type ZeebeTarget } from './lint';
export { parseBpmn, type ParsedModel } from './bpmn-parse';
export {
  EmbeddedProcessEngine,
  DEFAULT_EMBEDDED_ENGINE_BOUNDS,
  type EmbeddedEngineBounds,
  type EmbeddedEngineOptions,
  type EngineLog,
  type DueWork,
} from './embedded/embedded-process-engine';
// What the Zeebe adapter refuses that the embedded one answers: callers map them without knowing the adapter.
export { BusinessKeyClaimedError, OperateRequiredError } from './zeebe/zeebe-errors';
