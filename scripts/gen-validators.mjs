// Compiles the Daxfile schema validators to plain JavaScript (ajv standalone code) beside the
// built loader, so a dax run validates a Daxfile without importing ajv or compiling the schema.
// Runs after tsc in `npm run build`; dist/config/validate.js falls back to compiling at run time
// when the file is absent.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const standalone = require('ajv/dist/standalone').default;
const { daxfileSchemas, newAjv } = await import('../dist/config/validate.js');

const schemas = daxfileSchemas();
const ajv = newAjv({ code: { source: true } });
ajv.addSchema(schemas.root);
ajv.addSchema(schemas.include);
const code = standalone(ajv, { root: schemas.root.$id, include: schemas.include.$id });
const out = fileURLToPath(new URL('../dist/config/daxfile.validators.cjs', import.meta.url));
writeFileSync(out, code);
