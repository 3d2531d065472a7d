/** The injection token of the ProcessEngine (embedded or Zeebe, as IFW_PROCESS_ENGINE_URL says). */
export const PROCESS_ENGINE = Symbol('ProcessEngine');
