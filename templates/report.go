package templates

import "embed"

// Report holds the HTML templates of casefile report, report/*.html, Go
// html/template files: base.html (page head, styles, stamp), charts.html
// (inline SVG charts) and one page per report (log.html, trends.html,
// review.html).
//
//go:embed report
var Report embed.FS
