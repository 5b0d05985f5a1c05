/** Writes docs/server-config.schema.json from the zod schema: `pnpm exec tsx scripts/write-server-config-schema.ts`. @module */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverConfigJsonSchema } from 'spa-config/server-config';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'docs', 'server-config.schema.json');
writeFileSync(target, `${JSON.stringify(serverConfigJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
