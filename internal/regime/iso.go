package regime

import "slices"

// ISOControl is one Annex A control of ISO/IEC 27001.
type ISOControl struct {
	// Edition is "2013" or "2022".
	Edition string
	// ID is the Annex A reference, e.g. "A.16.1.1" or "A.5.24".
	ID    string
	Title string
}

// ISOMapping pairs a 2013 control with the 2022 control that replaces it.
type ISOMapping struct {
	From ISOControl // ISO/IEC 27001:2013
	To   ISOControl // ISO/IEC 27001:2022
}

func iso2013(id, title string) ISOControl { return ISOControl{Edition: "2013", ID: id, Title: title} }

func iso2022(id, title string) ISOControl { return ISOControl{Edition: "2022", ID: id, Title: title} }

var (
	a524 = iso2022("A.5.24", "Information security incident management planning and preparation")
	a525 = iso2022("A.5.25", "Assessment and decision on information security events")
	a526 = iso2022("A.5.26", "Response to information security incidents")
	a527 = iso2022("A.5.27", "Learning from information security incidents")
	a528 = iso2022("A.5.28", "Collection of evidence")
	a68  = iso2022("A.6.8", "Information security event reporting")
	a55  = iso2022("A.5.5", "Contact with authorities")
)

// isoMap follows the ISO/IEC 27002:2022 Annex B correspondence table. The
// last row is not part of A.16 but is what regulatory notifications evidence.
var isoMap = []ISOMapping{
	{iso2013("A.16.1.1", "Responsibilities and procedures"), a524},
	{iso2013("A.16.1.2", "Reporting information security events"), a68},
	{iso2013("A.16.1.3", "Reporting information security weaknesses"), a68},
	{iso2013("A.16.1.4", "Assessment of and decision on information security events"), a525},
	{iso2013("A.16.1.5", "Response to information security incidents"), a526},
	{iso2013("A.16.1.6", "Learning from information security incidents"), a527},
	{iso2013("A.16.1.7", "Collection of evidence"), a528},
	{iso2013("A.6.1.3", "Contact with authorities"), a55},
}

// ISOMap returns the 2013 → 2022 mapping of the incident management
// controls (A.16.1.1–A.16.1.7, and A.6.1.3 contact with authorities), in
// 2013 order.
func ISOMap() []ISOMapping { return slices.Clone(isoMap) }

// ISO2022Controls returns the distinct 2022 controls of the mapping, in
// order of first appearance: A.5.24, A.6.8, A.5.25, A.5.26, A.5.27, A.5.28,
// A.5.5.
func ISO2022Controls() []ISOControl {
	var out []ISOControl
	for _, m := range isoMap {
		if !slices.Contains(out, m.To) {
			out = append(out, m.To)
		}
	}
	return out
}

// ISO2022For returns the 2022 control that replaces a 2013 control.
func ISO2022For(id2013 string) (ISOControl, bool) {
	for _, m := range isoMap {
		if m.From.ID == id2013 {
			return m.To, true
		}
	}
	return ISOControl{}, false
}

// ISO2013For returns the 2013 controls a 2022 control replaces, in order.
func ISO2013For(id2022 string) []ISOControl {
	var out []ISOControl
	for _, m := range isoMap {
		if m.To.ID == id2022 {
			out = append(out, m.From)
		}
	}
	return out
}
