import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * `require` for the Zeebe moddle schema, a JSON file. Under CommonJS (dist/) it resolves from this file; jest's
 * ESM loader provides no `__filename`, and there the project root (the working directory of `npm test`) is the anchor.
 */
export const packageRequire = createRequire(typeof __filename === 'string' ? __filename : join(process.cwd(), 'package.json'));
