package report

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"
)

// CSVColumns is the header row of the CSV log.
var CSVColumns = []string{
	"id", "reported_at", "reported_by", "title", "description", "facilities", "systems", "processes",
	"kind", "escalated", "decision", "category", "severity", "status", "incident_manager",
	"contained_at", "closed_at", "evidence", "notifications", "notified_parties",
	"source_commit", "verify", "generated_at",
}

// ListSeparator joins list values in one CSV cell.
const ListSeparator = "; "

// CSVOptions tune the CSV log.
type CSVOptions struct {
	// BOM starts the file with a UTF-8 byte-order mark, which Excel needs
	// to read UTF-8; RFC 4180 tools do not want it.
	BOM bool
}

// CSV writes the log as RFC 4180 CSV: UTF-8, CRLF line ends, a header row,
// one row per record, times as recorded (ISO 8601), lists joined with "; ".
// Every row repeats the commit, the verify state and the generation time, so
// a row copied elsewhere still says where it came from. Cells that a
// spreadsheet would run as a formula (starting with =, +, -, @, tab or CR)
// are prefixed with a single quote.
func (r *LogReport) CSV(w io.Writer, opts CSVOptions) error {
	if opts.BOM {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(CSVColumns); err != nil {
		return err
	}
	commit, verify, gen := r.Source.Commit, r.VerifyState, r.GeneratedAt.Format(time.RFC3339)
	for _, x := range r.Rows {
		row := []string{
			x.ID, x.ReportedAt, x.ReportedBy, x.Title, x.Description,
			strings.Join(x.Facilities, ListSeparator), strings.Join(x.Systems, ListSeparator), strings.Join(x.Processes, ListSeparator),
			x.Kind, strconv.FormatBool(x.Escalated), x.Decision, x.Category, x.Severity, x.Status, x.IncidentManager,
			x.ContainedAt, x.ClosedAt, strconv.Itoa(x.Evidence), strconv.Itoa(x.Notifications), strings.Join(x.NotifiedParties, ListSeparator),
			commit, verify, gen,
		}
		for i := range row {
			row[i] = DefuseFormula(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// DefuseFormula prefixes a cell a spreadsheet would evaluate (OWASP's CSV
// injection characters) with a single quote, so it is shown as text.
func DefuseFormula(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// JSON writes the log as JSON.
func (r *LogReport) JSON(w io.Writer) error { return writeJSON(w, r) }

// JSON writes the trend report as JSON.
func (t *TrendReport) JSON(w io.Writer) error { return writeJSON(w, t) }

// JSON writes the review pack as JSON.
func (r *ReviewReport) JSON(w io.Writer) error { return writeJSON(w, r) }
