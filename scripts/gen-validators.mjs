// Compiles the schema validators (the Daxfile's and the Data Product Specification's) to plain
// JavaScript (ajv standalone code) beside the built modules that use them, so dax validates
// without importing ajv or compiling a schema at every start.
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

const { dpspecSchema, newDpspecAjv } = await import('../dist/fits/spec.js');
const specAjv = newDpspecAjv({ code: { source: true } });
const spec = dpspecSchema();
specAjv.addSchema(spec, 'dpspec');
writeFileSync(fileURLToPath(new URL('../dist/fits/dpspec.validator.cjs', import.meta.url)), standalone(specAjv, { spec: 'dpspec' }));
