// Package veris maps VERIS incidents (the Vocabulary for Event Recording
// and Incident Sharing, 1.3.x and 1.4.x, as in the VERIS Community Database)
// to casefile records and back.
//
// Map turns a decoded VERIS file into a record that passes lint; what the
// record has no field for is kept under source.veris.record, so nothing is
// lost. Export turns a record into a VERIS incident that validates against
// the vendored VERIS 1.4.1 schema (package schema): a field the record maps
// comes from the record, so edits made in casefile are exported; where the
// mapping loses detail (the action varieties behind a category) the VERIS
// value kept in source is used while it still maps to what the record says;
// the rest of the source comes back as it was. A VERIS → casefile → VERIS
// round trip therefore returns the original, except for what the 1.4.1
// schema does not allow (VERIS 1.3 fields dropped since, renamed
// enumeration values), which moves under plus.casefile.displaced with its
// JSON pointer, and required fields a file lacked, which get VERIS's
// "Unknown".
//
// # Mapping
//
//	VERIS                                casefile
//	-----------------------------------  ------------------------------------------------------------
//	incident_id, plus.master_id          source.veris.incident_id and .casefile/veris-ids.yaml (the
//	                                     ID mapping); an incident with neither is known by the
//	                                     SHA-256 of its file
//	security_incident Confirmed,         kind incident, assessment.is_incident true, status assessed
//	  Suspected (or missing)             (contained when contained_at is known)
//	security_incident Near miss          kind event, is_incident false, status resolved
//	security_incident False positive     kind event, is_incident false, status rejected with reason
//	summary                              description (title: its first sentence, ≤ 120 characters)
//	timeline.incident year/month/day     occurred_at, a partial date: 2016, 2016-09, 2016-09-17
//	timeline.compromise + discovery      detected_at (a date) when the incident day is known and both
//	                                     durations are given to the day; else kept in source
//	timeline.containment                 contained_at (midnight UTC), a containment action and status
//	                                     contained, when detected_at is known and the duration too
//	action.* (category and variety)      assessment.category, ENISA RSIT (table below)
//	attribute.confidentiality|           assessment.cia; an incident naming none gets the CIA its
//	  integrity|availability             category implies (noted)
//	impact.overall_rating                assessment.severity by position in the configured scale:
//	                                     Catastrophic SEV1, Damaging SEV2, Painful SEV3,
//	                                     Distracting SEV4, Insignificant the last; Unknown or
//	                                     missing: SEV3 for an incident, the last for an event
//	impact.overall_amount +              cost.amount + cost.currency (only with an ISO 4217 code)
//	  iso_currency_code
//	asset.assets[].variety               affected.assets ("S - Database")
//	victim.victim_id                     affected.parties
//	discovery_method                     reported.channel: internal monitoring varieties (Antivirus,
//	                                     NIDS, HIDS, log review, DLP, infrastructure monitoring,
//	                                     security alarm, fraud detection) monitoring, other internal
//	                                     other, external and partner third-party, other other,
//	                                     unknown or missing import
//	reference                            related: the URLs in it (the text stays in source)
//	actor.*                              tags actor:<category> and the assessment rationale (VERIS
//	                                     actors are not casefile roles)
//	action categories                    tags action:<category>, and the rationale
//	plus.analyst, plus.created           assessment.by and assessment.at (no earlier than the report)
//	source_id                            reported.by (default "veris")
//	(the importing user)                 roles.incident_manager (--manager), closed.by of events
//	everything else                      source.veris.record, as in the file
//
// Imported incidents stay open, assessed (or contained), rather than closed:
// VERIS records no recovery time, root cause or lessons learned, which lint
// requires of a closed incident, and inventing them would put false
// milestones into the log's time-to-contain figures and false evidence into
// its closures. Add them and run casefile close. A near miss is over by
// definition (resolved), a false positive is rejected with its reason.
//
// reported.at, whose year is the year of the record ID (lint's id-year
// rule), is the first instant of the incident date, or the detection date
// when that is later; without an incident date it is plus.created, and
// without that the time of the import. Dates known only to the day, month
// or year are written as midnight UTC of their first day where the record
// needs a timestamp.
//
// # Categories
//
// When an incident has several actions the first of hacking, malware,
// social, misuse, physical, error, environmental, unknown decides, except
// that hacking of Unknown variety gives way to malware. Within it the first
// variety with a rule of its own decides:
//
//	hacking        Use of stolen creds, Brute force, Offline cracking, Pass-the-hash, Hijack,
//	               Session fixation/prediction/replay     intrusions/unprivileged-account-compromise
//	               Exploit vuln, Exploit misconfig, SQLi, XSS, RFI, Path traversal, Forced
//	               browsing, OS commanding, Abuse of functionality   intrusions/application-compromise
//	               DoS                                    availability/dos
//	               Scan network, Profile host             information-gathering/scanner
//	               Unknown                                intrusions (the class only)
//	               any other                              intrusions/system-compromise
//	malware        any                                    malicious-code/infected-system
//	social         Phishing                               fraud/phishing
//	               Spam                                   abusive-content/spam
//	               Forgery                                fraud/masquerade
//	               Scam, Extortion, Bribery               fraud (the class only)
//	               any other                              information-gathering/social-engineering
//	misuse         Data mishandling                       information-content-security/data-leak
//	               Unapproved hardware/software/workaround, Net misuse, Email misuse,
//	               Illicit content                        fraud/unauthorised-use-of-resources
//	               any other                              information-content-security/unauthorised-information-access
//	physical       Theft (RSIT: "loss … by physical theft")  information-content-security/data-loss
//	               any other                              intrusions/burglary
//	error          Misconfiguration                       availability/misconfiguration
//	               Capacity shortage, Malfunction         availability/outage
//	               Misdelivery, Publishing error, Disposal error, Gaffe
//	                                                      information-content-security/data-leak
//	               any other (Loss, …)                    information-content-security/data-loss
//	environmental  any                                    availability/outage
//	unknown        (or no action)                         other/undetermined
//
// A category the configured taxonomy lacks falls back to its class, then
// to other/undetermined, then other; with none of them the file is not
// imported.
//
// Export inverts the table for records that did not come from VERIS (or
// whose category was changed): an intrusions/unprivileged-account-compromise
// record becomes hacking/Use of stolen creds, and so on; a record without
// an actor gets actor.unknown with a note, affected systems and processes go
// to asset.notes, and corrective actions to corrective_action.
package veris
