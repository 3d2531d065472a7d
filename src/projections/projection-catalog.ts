import type { JsonObject } from '../eventstore';
import { type ProjectionDefinition, versionedCollection } from './projection';
import type { CollectionSpec, ReadStore } from './read-store';

/** Which version of a projection is served, and which one a rebuild is building beside it. */
export interface ProjectionRecord {
  activeVersion: number;
  buildingVersion: number | null;
}

/** Why a projection stopped: the event its handler could not apply. */
export interface HaltRecord {
  message: string;
  position: string;
  eventType: string;
  atMs: number;
}

const recordKey = (name: string) => `projection:${name}`;
const haltKey = (name: string, version: number) => `halt:${name}@v${version}`;

/**
 * The projections this process knows and, per projection, the version readers are served from. The record
 * lives in the read store, so a rebuild in another process switches every reader by writing one record.
 */
export class ProjectionCatalog {
  private readonly records = new Map<string, ProjectionRecord>();

  constructor(
    readonly readStore: ReadStore,
    readonly definitions: readonly ProjectionDefinition[],
  ) {}

  /** Creates version 1 of every projection that has no record yet, and loads every record. */
  async init(): Promise<void> {
    for (const definition of this.definitions) {
      if (await this.load(definition.name)) continue;
      await this.readStore.ensureCollections(physicalSpecs(definition, 1));
      await this.save(definition.name, { activeVersion: 1, buildingVersion: null });
    }
  }

  /** Re-reads every record: cheap, one small read per projection. */
  async refresh(): Promise<void> {
    for (const definition of this.definitions) await this.load(definition.name);
  }

  definition(name: string): ProjectionDefinition | undefined {
    return this.definitions.find((d) => d.name === name);
  }

  names(): string[] {
    return this.definitions.map((d) => d.name);
  }

  /** The version served, as last loaded. */
  activeVersion(name: string): number {
    const record = this.records.get(name);
    if (!record) throw new Error(`projection ${name} is not initialised: call init() first`);
    return record.activeVersion;
  }

  record(name: string): ProjectionRecord | undefined {
    return this.records.get(name);
  }

  /** Reads a projection's record from the store, and keeps it as the one served from. */
  async load(name: string): Promise<ProjectionRecord | undefined> {
    const json = await this.readStore.getRecord(recordKey(name));
    if (!json) return undefined;
    const record = { activeVersion: Number(json.activeVersion), buildingVersion: json.buildingVersion === null ? null : Number(json.buildingVersion) };
    this.records.set(name, record);
    return record;
  }

  async save(name: string, record: ProjectionRecord): Promise<void> {
    await this.readStore.setRecord(recordKey(name), { ...record });
    this.records.set(name, record);
  }

  async halt(name: string, version: number): Promise<HaltRecord | undefined> {
    const json = await this.readStore.getRecord(haltKey(name, version));
    return json?.message === undefined ? undefined : (json as unknown as HaltRecord);
  }

  /** A writer that starts again tries the event once more (its handler may have been fixed) and halts again if not. */
  async clearHalt(name: string, version: number): Promise<void> {
    if (await this.halt(name, version)) await this.readStore.setRecord(haltKey(name, version), {});
  }

  async recordHalt(name: string, version: number, halt: HaltRecord): Promise<void> {
    await this.readStore.setRecord(haltKey(name, version), halt as unknown as JsonObject);
  }
}

/** The collections of one version of a projection, under their physical names. */
export function physicalSpecs(definition: ProjectionDefinition, version: number): CollectionSpec[] {
  return definition.collections.map((spec) => ({ ...spec, name: versionedCollection(spec.name, version) }));
}
