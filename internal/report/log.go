package report

import (
	"strconv"
	"time"

	"github.com/casefile/casefile/internal/config"
	"github.com/casefile/casefile/internal/record"
)

// LogOptions select the records of the Security Incident Log.
type LogOptions struct {
	// Range bounds reported.at.
	Range Range
	// Kind, Status and Severity keep only records with that value; ""
	// keeps all.
	Kind, Status, Severity string
	Now                    time.Time
	Stamp                  Stamp
}

// LogReport is the Security Incident Log: one row per record, in the order
// the reports came in.
type LogReport struct {
	Meta
	Filters LogFilters `json:"filters"`
	Counts  LogCounts  `json:"counts"`
	Rows    []LogRow   `json:"records"`
}

// LogFilters echoes the filters the log was made with.
type LogFilters struct {
	Kind     string `json:"kind,omitempty"`
	Status   string `json:"status,omitempty"`
	Severity string `json:"severity,omitempty"`
}

// LogCounts sums up the rows.
type LogCounts struct {
	Records   int            `json:"records"`
	ByKind    map[string]int `json:"by_kind"`
	Incidents int            `json:"incidents"`
	Open      int            `json:"open"`
}

// LogRow is one record in the log. Times are as written in the record
// (RFC 3339 or a partial date, both ISO 8601).
type LogRow struct {
	ID              string   `json:"id"`
	ReportedAt      string   `json:"reported_at"`
	ReportedBy      string   `json:"reported_by"`
	Title           string   `json:"title"`
	Description     string   `json:"description"`
	Facilities      []string `json:"facilities"`
	Systems         []string `json:"systems"`
	Processes       []string `json:"processes"`
	Kind            string   `json:"kind"`
	Escalated       bool     `json:"escalated"`
	Decision        string   `json:"decision"`
	Category        string   `json:"category"`
	Severity        string   `json:"severity"`
	Status          string   `json:"status"`
	IncidentManager string   `json:"incident_manager"`
	ContainedAt     string   `json:"contained_at"`
	ClosedAt        string   `json:"closed_at"`
	Evidence        int      `json:"evidence"`
	Notifications   int      `json:"notifications"`
	NotifiedParties []string `json:"notified_parties"`
}

// KindText is the kind with the escalation: "event→incident".
func (r LogRow) KindText() string {
	if r.Escalated {
		return r.Kind + "→incident"
	}
	return r.Kind
}

// Log builds the Security Incident Log.
func Log(recs []*record.Record, cfg *config.Config, opts LogOptions) *LogReport {
	rep := &LogReport{
		Meta:    newMeta("log", "Security Incident Log", cfg, opts.Now, opts.Stamp, opts.Range),
		Filters: LogFilters{Kind: opts.Kind, Status: opts.Status, Severity: opts.Severity},
		Counts:  LogCounts{ByKind: map[string]int{}},
		Rows:    []LogRow{},
	}
	for _, r := range sortedRecords(recs) {
		if !opts.Range.Contains(r.Reported.At.T) ||
			(opts.Kind != "" && r.Kind != opts.Kind) ||
			(opts.Status != "" && r.Status != opts.Status) ||
			(opts.Severity != "" && r.Severity() != opts.Severity) {
			continue
		}
		row := LogRow{
			ID:              r.ID,
			ReportedAt:      r.Reported.At.Raw,
			ReportedBy:      r.Reported.By,
			Title:           r.Title,
			Description:     r.Description,
			Facilities:      nonNil(r.Affected.Facilities),
			Systems:         nonNil(r.Affected.Systems),
			Processes:       nonNil(r.Affected.Processes),
			Kind:            r.Kind,
			Escalated:       Escalated(r),
			Decision:        Decision(r),
			Category:        r.Category(),
			Severity:        r.Severity(),
			Status:          r.Status,
			IncidentManager: r.Roles.IncidentManager,
			ContainedAt:     r.ContainedAt.Raw,
			ClosedAt:        closedAt(r).Raw,
			Evidence:        len(r.Evidence),
			Notifications:   len(r.Notifications),
			NotifiedParties: parties(r),
		}
		rep.Rows = append(rep.Rows, row)
		rep.Counts.Records++
		rep.Counts.ByKind[r.Kind]++
		if IsIncident(r) {
			rep.Counts.Incidents++
		}
		if r.Open() {
			rep.Counts.Open++
		}
	}
	return rep
}

// parties lists the notified parties once each, in the order first
// notified.
func parties(r *record.Record) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, n := range r.Notifications {
		if !seen[n.Party] {
			seen[n.Party] = true
			out = append(out, n.Party)
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }
