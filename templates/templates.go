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

// Init holds the files casefile init writes into a new records repository
// besides casefile.yaml: its README, CI configs and pre-commit config.
//
//go:embed init init/.github init/.gitlab-ci.yml init/.pre-commit-config.yaml
var Init embed.FS
