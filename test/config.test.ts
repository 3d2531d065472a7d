import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError, ENVIRONMENT_VARIABLES, loadConfig } from '../src/config';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('configuration', () => {
  it('is read from the environment in one place only', () => {
    const readers = sourceFiles(join(process.cwd(), 'src')).filter(
      (file) => !file.endsWith(join('src', 'config.ts')) && /process\.env\b/.test(readFileSync(file, 'utf8')),
    );
    expect(readers).toEqual([]);
  });

  it('is fully set by docker-compose.yml for the IFW service, against the production servers', () => {
    const compose = parse(readFileSync(join(process.cwd(), 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { image?: string; environment?: Record<string, string> }>;
    };
    const environment = compose.services.ifw!.environment!;
    expect(Object.keys(environment).sort()).toEqual(Object.keys(ENVIRONMENT_VARIABLES).sort());
    const config = loadConfig({}, environment);
    expect(config.eventStoreUrl).toMatch(/^esdb:\/\/eventstore:2113/);
    expect(config.readStoreUrl).toMatch(/^mongodb:\/\/mongodb:27017/);
    expect(config.processEngineUrl).toMatch(/^zeebe:\/\/zeebe:26500/);
    expect(compose.services.eventstore!.image).toMatch(/^eventstore\/eventstore:23\.10\./);
    expect(compose.services.zeebe!.image).toMatch(/^camunda\/zeebe:8\.5\./);
    expect(compose.services.mongodb!.image).toMatch(/^mongo:/);
  });

  it('defaults to embedded stores in ./data, and --data overrides the environment', () => {
    expect(loadConfig({}, {})).toMatchObject({ port: 3000, eventStoreUrl: 'sqlite:./data/ifw.db', processEngineUrl: 'embedded:./data/processes.db' });
    expect(loadConfig({ dataDir: '/tmp/d' }, { IFW_EVENTSTORE_URL: 'esdb://x:2113' }).eventStoreUrl).toBe('sqlite:/tmp/d/ifw.db');
  });

  it('refuses a port that is not a port', () => {
    expect(() => loadConfig({}, { PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ port: '70000' }, {})).toThrow(/1 to 65535/);
  });
});
