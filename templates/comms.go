package templates

import "embed"

// Comms holds the built-in communication and report templates rendered by
// casefile render: comms/NAME.md.tmpl (Go text/template) and
// comms/NAME.html.tmpl (Go html/template), plus comms/_common.*.tmpl with
// the blocks they share. A records repository's templates/comms/ folder
// overrides or adds to them.
//
//go:embed comms/*.tmpl
var Comms embed.FS
