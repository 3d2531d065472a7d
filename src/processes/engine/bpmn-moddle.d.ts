/**
 * bpmn-moddle 10 ships its types behind an `exports` subpath that TypeScript's node resolution (this project's)
 * does not read; this is the part of its API the engine uses (moddle-types.ts describes what fromXML gives).
 */
declare module 'bpmn-moddle' {
  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>);
    fromXML(xml: string): Promise<unknown>;
  }
}
