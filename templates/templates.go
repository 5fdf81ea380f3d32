// Package templates embeds casefile's built-in files: the default
// casefile.yaml, record skeletons, and (in later releases) communication and
// report templates.
package templates

import "embed"

// Config is the commented default casefile.yaml.
//
//go:embed casefile.yaml
var Config []byte

// Records holds one record skeleton per kind, records/<kind>.yaml, each a Go
// text/template.
//
//go:embed records
var Records embed.FS
