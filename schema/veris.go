package schema

import _ "embed"

// VERIS is the VERIS Community Schema 1.4.1 with its enumerations merged
// (verisc-merged.json, JSON Schema draft-04), vendored from vz-risk/veris
// under CC BY-SA 4.0; see veris/README.md for the source commit and the
// attribution. casefile export veris validates what it writes against it.
//
//go:embed veris/verisc-merged.json
var VERIS []byte

// VERISVersion is the VERIS schema version of VERIS.
const VERISVersion = "1.4.1"

// VERISURL names the vendored VERIS schema when it is compiled; it is a
// resource name, never fetched.
const VERISURL = "https://casefile.dev/schema/veris/1.4.1/verisc-merged.json"
