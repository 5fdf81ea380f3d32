// Package config loads casefile.yaml, the configuration of a records
// repository, and supplies the built-in defaults for what it leaves out.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	_ "time/tzdata" // time zones resolve on machines without a zone database

	"github.com/casefile/casefile/internal/record"
	"github.com/casefile/casefile/internal/regime"
	"github.com/casefile/casefile/internal/validate"
	"github.com/casefile/casefile/templates"
)

// FileName is the name of the configuration file at the root of a records
// repository.
const FileName = "casefile.yaml"

// RecordsDir is the folder, relative to the repository root, that holds the
// records.
const RecordsDir = "records"

// EvidenceDir is the folder, relative to the repository root, that holds
// evidence files.
const EvidenceDir = "evidence"

// Config is the parsed casefile.yaml with defaults applied.
type Config struct {
	SchemaVersion int          `yaml:"schema_version"`
	Organisation  Organisation `yaml:"organisation"`
	IDs           IDs          `yaml:"ids"`
	Taxonomy      Taxonomy     `yaml:"taxonomy"`
	Severity      []Severity   `yaml:"severity"`
	Roles         Roles        `yaml:"roles"`
	Signing       Signing      `yaml:"signing"`
	Contacts      Contacts     `yaml:"contacts"`

	// Rules is the notification rule set: the built-in regulatory
	// obligations plus the organisation's own (the obligations: section).
	Rules *regime.RuleSet `yaml:"-"`
	// Location is the organisation's time zone, for deadlines counted in
	// local days.
	Location *time.Location `yaml:"-"`

	// Path is the file the configuration came from, "" for the defaults.
	Path string `yaml:"-"`
}

// Organisation names the organisation whose log this is.
type Organisation struct {
	Name     string `yaml:"name"`
	Timezone string `yaml:"timezone"`
}

// IDs is the record ID format.
type IDs struct {
	Digits   int               `yaml:"digits"`
	Prefixes map[string]string `yaml:"prefixes"`
}

// Taxonomy is the category scheme; a category is "<class>/<type>".
type Taxonomy struct {
	Name    string  `yaml:"name"`
	Classes []Class `yaml:"classes"`
}

// Class is a taxonomy class with its types.
type Class struct {
	ID    string `yaml:"id"`
	Name  string `yaml:"name"`
	Types []Type `yaml:"types"`
}

// Type is one incident type within a class.
type Type struct {
	ID          string `yaml:"id"`
	Description string `yaml:"description"`
}

// Severity is a level of the severity scale.
type Severity struct {
	ID                  string `yaml:"id"`
	Name                string `yaml:"name"`
	Criteria            string `yaml:"criteria"`
	InitialReportWithin string `yaml:"initial_report_within"`
}

// Roles names the standing roles of the procedure.
type Roles struct {
	SeniorSecurityLead string   `yaml:"senior_security_lead"`
	IncidentManagers   []string `yaml:"incident_managers"`
	Management         []string `yaml:"management"`
}

// Contacts are the people and bodies an incident may have to be reported to,
// kept in casefile.yaml so that nobody hunts for the regulator's address
// during an incident. Communication templates (casefile render) use them.
type Contacts struct {
	// SeniorSecurityLead is the Senior Security Lead's contact (the role's
	// e-mail is roles.senior_security_lead).
	SeniorSecurityLead *Contact `yaml:"senior_security_lead"`
	// DPO is the data protection officer, the contact point a GDPR
	// notification names (Art. 33(3)(b)).
	DPO *Contact `yaml:"dpo"`
	// SupervisoryAuthorities are the data-protection or sector authorities,
	// each competent for the regimes or the jurisdiction it lists.
	SupervisoryAuthorities []Authority `yaml:"supervisory_authorities"`
	// CSIRTs are the national CSIRTs or competent authorities for incident
	// reporting (NIS2, DORA).
	CSIRTs []Authority `yaml:"csirts"`
	// LawEnforcement are the police or prosecution units that take
	// complaints about cybercrime.
	LawEnforcement []Authority `yaml:"law_enforcement"`
	// Insurer is the cyber insurer with the policy number a claim quotes.
	Insurer *Insurer `yaml:"insurer"`
	// LegalCounsel are internal or external lawyers.
	LegalCounsel []Contact `yaml:"legal_counsel"`
	// Other holds further contacts, e.g. an incident-response retainer.
	Other []Contact `yaml:"other"`
}

// Contact is how to reach a person or an organisation.
type Contact struct {
	Name         string `yaml:"name"`
	Organisation string `yaml:"organisation"`
	Role         string `yaml:"role"`
	Address      string `yaml:"address"`
	Email        string `yaml:"email"`
	Phone        string `yaml:"phone"`
	URL          string `yaml:"url"`
	Notes        string `yaml:"notes"`
}

// Authority is a body incidents are notified or reported to.
type Authority struct {
	Contact `yaml:",inline"`
	// ID names the authority in casefile.yaml, e.g. hmbbfdi.
	ID string `yaml:"id"`
	// Regimes are the regime IDs (gdpr-33, nis2, …) the authority is
	// competent for; empty means any.
	Regimes []string `yaml:"regimes"`
	// Jurisdiction is where it is competent, e.g. DE-HH or Hamburg.
	Jurisdiction string `yaml:"jurisdiction"`
	// Portal is the URL of its online notification form or portal.
	Portal string `yaml:"portal"`
}

// Insurer is the cyber insurance carrier.
type Insurer struct {
	Contact `yaml:",inline"`
	// PolicyNumber is the number a claim or notice quotes.
	PolicyNumber string `yaml:"policy_number"`
	// Hotline is the 24/7 incident or claims line, when it differs from
	// the phone number.
	Hotline string `yaml:"hotline"`
}

// Covers reports whether the authority is competent for the regime: it lists
// the regime, or it lists none.
func (a Authority) Covers(regime string) bool {
	if len(a.Regimes) == 0 {
		return true
	}
	for _, r := range a.Regimes {
		if r == regime {
			return true
		}
	}
	return false
}

// Signing is the commit signing policy.
type Signing struct {
	Policy string `yaml:"policy"`
}

// SigningRequired reports whether unsigned writes are refused.
func (c *Config) SigningRequired() bool { return c.Signing.Policy != "optional" }

// HasCategory reports whether "<class>/<type>" is in the taxonomy. A bare
// class is accepted too, for assessments that could not pin the type.
func (c *Config) HasCategory(cat string) bool {
	class, typ, hasType := strings.Cut(cat, "/")
	for _, cl := range c.Taxonomy.Classes {
		if cl.ID != class {
			continue
		}
		if !hasType {
			return true
		}
		for _, t := range cl.Types {
			if t.ID == typ {
				return true
			}
		}
	}
	return false
}

// HasSeverity reports whether id is a level of the severity scale.
func (c *Config) HasSeverity(id string) bool {
	return c.SeverityRank(id) >= 0
}

// SeverityRank returns the position of id in the scale (0 = most severe), or
// -1 if it is not a level.
func (c *Config) SeverityRank(id string) int {
	for i, s := range c.Severity {
		if s.ID == id {
			return i
		}
	}
	return -1
}

// SeverityIDs lists the levels, most severe first.
func (c *Config) SeverityIDs() []string {
	ids := make([]string, len(c.Severity))
	for i, s := range c.Severity {
		ids[i] = s.ID
	}
	return ids
}

// Prefix returns the ID prefix of a kind.
func (c *Config) Prefix(kind string) string { return c.IDs.Prefixes[kind] }

// Default returns the built-in configuration (the commented casefile.yaml
// that `casefile init` writes).
func Default() (*Config, error) {
	return parse("casefile.yaml (built-in)", templates.Config, nil)
}

// Load reads casefile.yaml at path and fills what it leaves out from the
// defaults. Problems carry the file and line.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return Parse(path, data)
}

// Parse reads casefile.yaml content (name is what problems call the file,
// e.g. "HEAD:casefile.yaml") and fills what it leaves out from the defaults.
func Parse(name string, data []byte) (*Config, error) {
	def, err := Default()
	if err != nil {
		return nil, err
	}
	c, err := parse(name, data, def)
	if err != nil {
		return nil, err
	}
	c.Path = name
	return c, nil
}

// Problems is the list of schema violations in a config file.
type Problems []*record.Problem

func (p Problems) Error() string {
	msgs := make([]string, len(p))
	for i, e := range p {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

func parse(path string, data []byte, def *Config) (*Config, error) {
	doc, err := record.Parse(path, data)
	if err != nil {
		return nil, err
	}
	v, err := validate.Config()
	if err != nil {
		return nil, err
	}
	if probs := v.Validate(doc); len(probs) > 0 {
		return nil, Problems(probs)
	}
	var c Config
	if err := doc.Root().Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if def != nil {
		c.fill(def)
	}
	loc, err := time.LoadLocation(c.Organisation.Timezone)
	if err != nil {
		line, col := doc.Pos("/organisation/timezone")
		return nil, Problems{{
			File: path, Line: line, Column: col, Rule: validate.RuleSchema, Fatal: true,
			Msg: fmt.Sprintf("organisation.timezone: unknown time zone %q", c.Organisation.Timezone),
		}}
	}
	c.Location = loc
	// The JSON model keeps dates as the text written, which ParseCustom
	// expects; yaml decoding would turn them into times.
	var items []map[string]any
	if list, ok := doc.Value("/obligations").([]any); ok {
		for _, it := range list {
			if m, ok := it.(map[string]any); ok {
				items = append(items, m)
			}
		}
	}
	custom, err := regime.ParseCustom(items)
	if err == nil {
		c.Rules, err = regime.Builtin().With(custom)
	}
	if err != nil {
		line, col := doc.KeyPos("/obligations")
		return nil, Problems{{File: path, Line: line, Column: col, Rule: validate.RuleSchema, Fatal: true, Msg: err.Error()}}
	}
	return &c, nil
}

// fill takes each section left out from def.
func (c *Config) fill(def *Config) {
	if c.Organisation.Name == "" {
		c.Organisation.Name = def.Organisation.Name
	}
	if c.Organisation.Timezone == "" {
		c.Organisation.Timezone = def.Organisation.Timezone
	}
	if c.IDs.Digits == 0 {
		c.IDs.Digits = def.IDs.Digits
	}
	if c.IDs.Prefixes == nil {
		c.IDs.Prefixes = map[string]string{}
	}
	for k, v := range def.IDs.Prefixes {
		if c.IDs.Prefixes[k] == "" {
			c.IDs.Prefixes[k] = v
		}
	}
	if len(c.Taxonomy.Classes) == 0 {
		c.Taxonomy = def.Taxonomy
	}
	if len(c.Severity) == 0 {
		c.Severity = def.Severity
	}
	if c.Signing.Policy == "" {
		c.Signing.Policy = def.Signing.Policy
	}
}

// FindRoot walks up from dir to the nearest folder holding casefile.yaml.
// It returns "" when there is none.
func FindRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		_, err := os.Stat(filepath.Join(abs, FileName))
		if err == nil {
			return abs, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return "", nil
		}
		abs = parent
	}
}

// ForRoot loads root/casefile.yaml, or the defaults when root is "" or has
// no config.
func ForRoot(root string) (*Config, error) {
	if root != "" {
		path := filepath.Join(root, FileName)
		if _, err := os.Stat(path); err == nil {
			return Load(path)
		}
	}
	return Default()
}
