/**
 * The part of bpmn-moddle (which ships no types) that the engine uses. Elements are moddle objects: `$type`
 * plus the properties of the BPMN and Zeebe schemas.
 */
export interface ModdleElement {
  $type: string;
  id?: string;
  $parent?: ModdleElement;
  $instanceOf(type: string): boolean;
  [property: string]: unknown;
}

export interface ParseWarning {
  message: string;
  element?: ModdleElement;
}

export interface ModdleContext {
  rootElement: ModdleElement;
  elementsById: Record<string, ModdleElement>;
  references: unknown[];
  warnings: ParseWarning[];
}
