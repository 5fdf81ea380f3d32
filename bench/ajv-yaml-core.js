// ajv-cli custom module (-c) that makes ajv-cli's YAML loader keep timestamps
// as strings. ajv-cli 5 parses data files with js-yaml 3's safeLoad, whose
// default schema turns unquoted timestamps and dates into JavaScript Date
// objects, so every record fails `type: string`. casefile, like any YAML 1.2
// core-schema reader, keeps them as the text written. This patch switches
// ajv-cli's own js-yaml to the core schema (JSON-compatible scalars; no
// timestamps, no binary, no sets) so ajv-cli validates the same data model
// casefile does. It changes nothing else: the schema, the files, the glob,
// ajv itself and its format checks are ajv-cli's.
"use strict";
const path = require("path");
const cliDir = path.dirname(require.resolve("ajv-cli/package.json"));
const yaml = require(require.resolve("js-yaml", { paths: [cliDir] }));
const safeLoad = yaml.safeLoad;
yaml.safeLoad = (text, opts) => safeLoad(text, Object.assign({}, opts, { schema: yaml.CORE_SCHEMA }));
module.exports = () => {};
