// Command casefile keeps an organisation's ISO 27001 Security Incident Log as
// code: schema-validated YAML records in Git, every change a signed commit.
package main

import (
	"os"

	"github.com/casefile/casefile/internal/cli"
)

func main() {
	os.Exit(cli.Main())
}
