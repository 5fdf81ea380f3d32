// Package schema embeds the JSON Schemas (draft 2020-12) that define a casefile
// record and the casefile.yaml configuration file.
package schema

import _ "embed"

// Record is the JSON Schema of a record file.
//
//go:embed record.schema.json
var Record []byte

// Config is the JSON Schema of casefile.yaml.
//
//go:embed config.schema.json
var Config []byte

// RecordURL is the $id of the record schema; record skeletons point editors at it.
const RecordURL = "https://casefile.dev/schema/record/v1.json"

// ConfigURL is the $id of the config schema.
const ConfigURL = "https://casefile.dev/schema/config/v1.json"
