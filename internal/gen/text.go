package gen

// The vocabulary of the generated log: a fictional freight company's staff,
// systems and the kinds of report its Security Incident Log sees. Text is
// ASCII and free of ": " and " #" so most of it stays plain YAML, as a person
// would write it. Names in braces are filled per record (see fill).

// domain is the e-mail domain of the fictional organisation.
const domain = "freight.example"

var staff = []string{
	"a.khan", "b.okafor", "c.lindqvist", "d.moreau", "e.novak", "f.brandt", "g.rossi", "h.albers",
	"i.kowalski", "j.santos", "k.vogel", "l.nguyen", "m.schmidt", "n.haddad", "o.petrov", "p.oconnor",
	"q.li", "r.fischer", "s.petersen", "t.yilmaz", "u.weber", "v.hansen", "w.mueller", "x.garcia",
	"y.tanaka", "z.dubois", "a.ivanova", "b.larsen", "c.meyer", "d.costa",
}

var (
	securityLead     = "k.vogel@" + domain
	incidentManagers = []string{"f.brandt@" + domain, "b.okafor@" + domain, "c.lindqvist@" + domain, "l.nguyen@" + domain}
	management       = []string{"h.albers@" + domain, "s.petersen@" + domain}
	dpo              = "dpo@" + domain
	legal            = "legal@" + domain
	comms            = "communications@" + domain
	reporterTeams    = []string{"soc@" + domain, "servicedesk@" + domain, "it-operations@" + domain, "facilities@" + domain}
	forensicsTeam    = "forensics@" + domain
)

var systems = []string{
	"mail (Exchange Online)", "customer portal", "TMS (transport management)", "WMS Hamburg hub",
	"WMS Rotterdam hub", "SAP S/4HANA finance", "HR system (Personio)", "VPN gateway vpn01",
	"perimeter firewall HAM-FW-01", "Active Directory", "Entra ID tenant", "file server HAM-FS-02",
	"backup server HAM-BK-01", "driver app (Android)", "driver app backend API", "EDI gateway",
	"telematics platform", "payroll", "intranet (SharePoint)", "Jira Service Management",
	"Kubernetes cluster prod-eu-1", "AWS account freight-prod", "AWS account freight-data",
	"Azure subscription analytics", "Wi-Fi guest network", "badge access system", "print servers",
	"CI pipeline (GitLab)", "customer SFTP server", "website www", "DNS (Route 53)",
}

var processes = []string{
	"order intake", "dispatch planning", "customs clearance", "invoicing", "payroll", "recruiting",
	"customer support", "warehouse picking", "fleet maintenance", "month-end close", "supplier onboarding",
}

var facilities = []string{"Hamburg hub", "Rotterdam hub", "Poznan depot", "Lyon depot", "head office Hamburg", "data centre HAM-DC1"}

var dataCategories = []string{"contact details", "identity documents", "bank details", "employment records", "location data", "shipment addresses", "login credentials", "health data"}

var subjectCategories = []string{"customers", "employees", "drivers", "applicants", "consignees", "supplier contacts"}

var parties = []string{"key account Nordmarkt AG", "customers of the portal", "subcontracted carriers", "customs broker Elbe Zoll", "insurer Hanse Mutual", "payment provider"}

var channels = []string{"email", "phone", "web-form", "chat", "in-person", "ticket", "monitoring", "third-party", "other"}

var tagsPool = []string{"phishing", "cloud", "third-party", "gdpr", "nis2", "ot", "remote-work", "mfa", "patching", "awareness", "physical", "supplier", "reconnaissance", "availability", "fraud"}

var vendors = []string{"Microsoft", "Fortinet", "Ivanti", "Palo Alto Networks", "Atlassian", "Citrix", "VMware", "Cisco", "Zebra", "Sophos"}

var phishDomains = []string{"freight-example-login.com", "secure-freight.net", "dhl-track-parcel.info", "m365-verify.co", "sharepoint-docs.app", "invoice-portal.biz"}

var hostPrefixes = []string{"HAM-LT-", "RTM-LT-", "HAM-WS-", "POZ-LT-", "LYS-WS-", "HAM-SRV-"}

// Generic sentences any description may end with, to reach its length.
var genericSentences = []string{
	"The reporter attached screenshots and the relevant log lines to the ticket {ticket}.",
	"The Service Desk confirmed the user's identity by call-back before any further steps were taken.",
	"No other reports of the same kind were received on the same day according to the ticket queue.",
	"The affected system is in scope of the ISMS and listed in the asset register with owner {person}.",
	"The SOC correlated the report with the SIEM and found {n} related log entries in the time window.",
	"The reporter was asked to keep the device powered on and disconnected from the network until IT arrived.",
	"The timeline below was reconstructed from the SIEM, the EDR console and the reporter's own notes.",
	"Business impact during the first hours was limited because the affected shift had not started yet.",
	"The event happened outside office hours and was picked up by the on-call engineer of the SOC.",
	"Similar reports were handled in previous years; the related records are linked where they exist.",
	"The reporter followed the instructions of the security awareness training and did not reply to the sender.",
	"The asset owner {person} was informed by phone and agreed with the proposed first steps.",
	"Logs older than 30 days were retrieved from the archive storage account to complete the picture.",
	"A first look at the monitoring dashboards showed no unusual load or error rates at the time.",
	"The external managed security provider was asked for their view and answered within the hour.",
}

// scenario is one kind of report with the vocabulary to describe and handle it.
type scenario struct {
	category   string
	cia        []string
	sev        [4]int // weights of SEV1..SEV4
	personal   float64
	external   float64
	lawEnf     bool
	titles     []string
	desc       []string // narrative sentences, in order
	rationale  []string
	immediate  []string
	contain    []string
	eradicate  []string
	recover    []string
	factors    []string
	analysis   []string
	cas        []string
	lessons    []string
	evidence   []evidenceKind
	systemHint []string
}

type evidenceKind struct {
	file, description, how string
}

var (
	evMailHeaders = evidenceKind{"headers.eml", "Full headers of the reported message", "exported from the mail gateway quarantine"}
	evAuthLog     = evidenceKind{"signin-log-excerpt.txt", "Sign-in log excerpt for the affected account", "exported from the Entra ID sign-in log"}
	evEDR         = evidenceKind{"edr-alert.txt", "EDR alert and process tree", "exported from the EDR console"}
	evFirewall    = evidenceKind{"firewall-log-excerpt.txt", "Firewall log excerpt for the source addresses", "exported from the firewall management console"}
	evWebLog      = evidenceKind{"access-log-excerpt.txt", "Web server access log excerpt", "copied from the load balancer log bucket"}
	evCloudTrail  = evidenceKind{"cloudtrail-excerpt.txt", "CloudTrail events for the affected resources", "exported with the AWS CLI"}
	evNotes       = evidenceKind{"interview-notes.txt", "Notes of the interview with the reporter", "written up by the Incident Manager after the interview"}
	evCCTV        = evidenceKind{"cctv-log.txt", "Badge and CCTV access log for the night", "exported from the badge access system"}
	evPayment     = evidenceKind{"payment-trail.txt", "Payment order and bank correspondence", "exported from the finance system and the bank portal"}
)

var incidentScenarios = []scenario{
	{
		category: "fraud/phishing", cia: []string{"confidentiality"}, sev: [4]int{1, 6, 10, 3}, personal: 0.3, external: 0.1,
		systemHint: []string{"mail (Exchange Online)", "Entra ID tenant", "intranet (SharePoint)"},
		titles:     []string{"Phishing led to mailbox compromise of {user}", "Credential phishing campaign against the {sys} users", "Mailbox of {user} compromised through a fake login page"},
		desc: []string{
			"{user} reported a message that asked to confirm the mailbox password on a page at {domain}; the user had entered the credentials before noticing the address.",
			"The sign-in log shows successful logins from {ip} shortly afterwards, from a country where the company has no staff.",
			"The attacker created an inbox rule that moved replies from finance contacts into the RSS Feeds folder and forwarded them to an external address.",
			"{n} further employees received the same message; the mail gateway had scored it as clean because the sending domain was only two days old.",
			"MFA was enforced for the account, but the attacker relayed the one-time code through the phishing page in real time.",
			"No evidence was found that the attacker accessed other mailboxes or SharePoint sites with the session.",
		},
		rationale: []string{"Confirmed account compromise with attacker access to mail content; personal data in the mailbox may have been read.", "Successful logins from attacker infrastructure and inbox rules created; this is an incident under ISP-07."},
		immediate: []string{"Revoke sessions, reset the password, remove the inbox rules and block the phishing domain at the proxy."},
		contain:   []string{"Revoked all refresh tokens of {user}, reset the password and removed the forwarding and inbox rules.", "Blocked {domain} at the web proxy and purged the campaign from all mailboxes with a compliance search."},
		eradicate: []string{"Checked every mailbox for rules forwarding to the attacker's address; none besides the affected one.", "Reviewed OAuth consents of the account; removed one unknown application grant."},
		recover:   []string{"Returned the account to the user after a verified password change and a new MFA registration."},
		factors:   []string{"phishing-resistant MFA not enforced", "newly registered domains not blocked at the mail gateway", "external forwarding allowed by default", "user entered credentials on a lookalike page"},
		analysis:  []string{"The campaign used an adversary-in-the-middle kit that relays MFA prompts; only phishing-resistant methods would have stopped it. External forwarding was still allowed tenant-wide, which let the attacker exfiltrate replies silently."},
		cas:       []string{"Enforce phishing-resistant MFA (FIDO2) for finance and executive accounts", "Disable external auto-forwarding tenant-wide", "Block newly registered domains at the mail gateway", "Run a targeted awareness session for the finance team"},
		lessons:   []string{"The report came within minutes because the user recognised the mistake; the no-blame reporting culture paid off. Token revocation must be the first step, a password reset alone does not end an attacker session."},
		evidence:  []evidenceKind{evMailHeaders, evAuthLog, evNotes},
	},
	{
		category: "malicious-code/infected-system", cia: []string{"confidentiality", "integrity"}, sev: [4]int{1, 4, 10, 4}, personal: 0.1,
		titles: []string{"Malware on laptop {host} after opening an invoice attachment", "EDR detected an infostealer on {host}", "Infected workstation {host} in the {site}"},
		desc: []string{
			"The EDR raised a high-severity alert on {host}: a macro-enabled document spawned PowerShell, which downloaded a loader from {ip}.",
			"The user {user} had opened an attachment named like an overdue freight invoice from a known carrier.",
			"The loader injected into explorer.exe and attempted to read browser credential stores before the EDR isolated the device.",
			"The device was isolated automatically {n} minutes after the first alert; no lateral movement was seen in the network logs.",
			"Saved browser passwords of the user may have been read, including the password of a carrier portal account.",
		},
		rationale: []string{"Malware executed on a managed device and attempted credential theft; treated as an incident until the scope is known."},
		immediate: []string{"Keep the device isolated, reset the user's passwords and collect a triage package from the EDR."},
		contain:   []string{"Confirmed network isolation of {host} in the EDR console and blocked the loader's hash tenant-wide.", "Blocked {ip} and the download domain at the proxy and the firewall."},
		eradicate: []string{"Re-imaged {host} from the standard image; verified the new build is clean with a full EDR scan."},
		recover:   []string{"Handed the re-imaged laptop back to {user} with new credentials for every saved account."},
		factors:   []string{"macros from the internet not blocked for all users", "browser password store in use", "attachment filtering missed the file type"},
		analysis:  []string{"A legacy group policy exempted the logistics department from the macro block; the attachment passed the gateway because the archive was password-protected."},
		cas:       []string{"Remove the macro policy exemption for the logistics department", "Disable browser password saving and roll out the company password manager", "Quarantine password-protected archives from external senders"},
		lessons:   []string{"Automatic isolation by the EDR limited the impact; the playbook for credential resets after infostealers was missing and has been written."},
		evidence:  []evidenceKind{evEDR, evFirewall},
	},
	{
		category: "malicious-code/infected-system", cia: []string{"availability", "integrity"}, sev: [4]int{6, 4, 1, 0}, personal: 0.3, external: 0.6, lawEnf: true,
		systemHint: []string{"file server HAM-FS-02", "WMS Hamburg hub", "WMS Rotterdam hub", "backup server HAM-BK-01"},
		titles:     []string{"Ransomware encrypted shares on {sys}", "Ransomware attack on the {site} file servers"},
		desc: []string{
			"At the start of the early shift the warehouse team at the {site} found that files on the shared drives had been renamed with a new extension and a ransom note was left in every folder.",
			"The EDR on the file server had been disabled by an account of the IT operations team {n} hours earlier; the account had been compromised through the VPN.",
			"About {count} files were encrypted before the server was shut down; the backup catalogue was intact because the backups are immutable for 14 days.",
			"The ransom note names a known ransomware group and claims that data was exfiltrated before encryption.",
			"Dispatch planning at the hub ran on paper for most of the day.",
		},
		rationale: []string{"Encryption of production data and a claim of exfiltration; major incident, crisis team convened."},
		immediate: []string{"Disconnect the hub network from the WAN, disable the compromised account and convene the crisis team."},
		contain:   []string{"Disconnected the {site} network segment at the core switch and disabled the compromised admin account.", "Blocked all VPN logins except for the incident response team until the entry point was confirmed."},
		eradicate: []string{"Rebuilt the file server and the two affected domain controllers from known-good images.", "Reset the passwords of all privileged accounts and the krbtgt account twice."},
		recover:   []string{"Restored the shares from the immutable backup of the previous night and verified the file counts with the owners.", "Reconnected the hub network segment after the forensic provider confirmed that no persistence remained."},
		factors:   []string{"VPN account without MFA", "EDR tamper protection not enabled on servers", "privileged account used for daily work", "flat network between hub and data centre"},
		analysis:  []string{"The attacker logged in to the VPN with a password from a breach of another service, escalated through a service account with domain admin rights, and disabled the EDR before running the encryptor. Tamper protection was off on servers because of an old compatibility issue."},
		cas:       []string{"Enforce MFA on every VPN account, service accounts included", "Enable EDR tamper protection on all servers", "Introduce separate admin accounts and a tiered administration model", "Segment the hub networks from the data centre"},
		lessons:   []string{"Immutable backups made recovery possible within two days. The crisis team needed an out-of-band chat channel because mail was unavailable during the first hours."},
		evidence:  []evidenceKind{evEDR, evFirewall, evNotes},
	},
	{
		category: "intrusions/unprivileged-account-compromise", cia: []string{"confidentiality"}, sev: [4]int{1, 5, 8, 2}, personal: 0.4, external: 0.3,
		systemHint: []string{"customer portal", "driver app backend API", "customer SFTP server", "Entra ID tenant"},
		titles:     []string{"Credential stuffing against the driver app", "Account takeover of customer portal users", "Compromised service account used from {ip}"},
		desc: []string{
			"Monitoring of the {sys} showed a spike of failed logins from {count} distinct addresses, followed by {n} successful logins to customer accounts.",
			"The passwords used match a public breach corpus; the affected users had reused their passwords.",
			"The attacker changed the delivery address of two pending shipments and downloaded invoices from several accounts.",
			"Rate limiting was in place per address but not per account, so the distributed attack stayed below the threshold.",
		},
		rationale: []string{"Unauthorised access to customer accounts with personal data; incident."},
		immediate: []string{"Force password resets for the affected accounts and enable the bot challenge on the login page."},
		contain:   []string{"Forced a password reset for all accounts with a successful login from the attacking addresses.", "Enabled the bot challenge on the login endpoint and blocked the top source networks."},
		eradicate: []string{"Reverted the changed delivery addresses after call-backs to the customers."},
		recover:   []string{"Removed the temporary network blocks after a week without further attempts."},
		factors:   []string{"no per-account rate limit", "MFA optional for portal users", "no breached-password check at sign-up"},
		analysis:  []string{"The login endpoint only limited attempts per source address; the attacker used a residential proxy network with thousands of addresses."},
		cas:       []string{"Add per-account rate limiting and lockout to the login endpoint", "Offer and promote MFA for portal accounts", "Check new passwords against a breached-password list"},
		lessons:   []string{"Alerting on successful logins after many failures worked; the customer communication template for account takeovers saved time."},
		evidence:  []evidenceKind{evWebLog, evAuthLog},
	},
	{
		category: "intrusions/privileged-account-compromise", cia: []string{"confidentiality", "integrity"}, sev: [4]int{4, 5, 2, 0}, personal: 0.3, external: 0.2,
		systemHint: []string{"AWS account freight-prod", "AWS account freight-data", "Azure subscription analytics", "CI pipeline (GitLab)"},
		titles:     []string{"Cloud admin credentials leaked in a public repository", "Privileged access to {sys} by an unknown actor"},
		desc: []string{
			"A secret-scanning service notified us that an access key of the {sys} with administrator rights was committed to a public repository of a contractor.",
			"CloudTrail shows the key was used from {ip} {n} hours after the commit to list buckets and create a new IAM user.",
			"The new IAM user was used to start compute instances in an unused region, probably for cryptocurrency mining.",
			"No access to the customer data buckets was recorded; object-level logging was enabled for those buckets.",
		},
		rationale: []string{"Use of an administrator credential by an unknown party; incident."},
		immediate: []string{"Deactivate the key, delete the attacker's IAM user and stop the instances."},
		contain:   []string{"Deactivated the leaked access key and deleted the IAM user created by the attacker.", "Terminated the instances in the unused region and applied a service control policy denying that region."},
		eradicate: []string{"Rotated every access key of the contractor's deployment pipeline."},
		recover:   []string{"Confirmed with the billing team that the compute costs were credited after the abuse report."},
		factors:   []string{"long-lived access keys for a pipeline", "no region restriction", "contractor repository not covered by secret scanning"},
		analysis:  []string{"The contractor copied a configuration file with the key into a public sample project. Long-lived keys were still used where workload identity was possible."},
		cas:       []string{"Replace long-lived pipeline keys with workload identity federation", "Deny unused regions with a service control policy", "Require secret scanning in contractor repositories by contract"},
		lessons:   []string{"The notification from the secret-scanning service was the only signal; our own cost anomaly alert fired a day later."},
		evidence:  []evidenceKind{evCloudTrail},
	},
	{
		category: "intrusion-attempts/exploit", cia: []string{"integrity"}, sev: [4]int{1, 3, 8, 4}, external: 0.1,
		systemHint: []string{"VPN gateway vpn01", "perimeter firewall HAM-FW-01", "website www", "customer portal"},
		titles:     []string{"Exploitation attempt against {vendor} appliance ({cve})", "Web shell found on the {sys}"},
		desc: []string{
			"The IDS raised alerts for exploitation attempts of {cve} against the {vendor} appliance from {ip}.",
			"The appliance had been patched the week before, but the vendor's integrity checker reported one unknown file in the web root.",
			"The file was a small web shell dated before the patch; its access log shows {n} requests from the same address.",
			"The appliance configuration and the local user list were unchanged compared with the last backup.",
		},
		rationale: []string{"Evidence of successful exploitation before the patch (web shell); incident."},
		immediate: []string{"Take the appliance offline and fail over to the secondary."},
		contain:   []string{"Failed over to the secondary appliance and took the affected one offline.", "Blocked {ip} and the related scanner network at the perimeter."},
		eradicate: []string{"Factory-reset the appliance and restored the configuration from the backup taken before the exploitation."},
		recover:   []string{"Put the rebuilt appliance back into the cluster after the integrity check came back clean."},
		factors:   []string{"patch window of seven days for internet-facing systems", "no file integrity monitoring on appliances"},
		analysis:  []string{"Exploitation started the day the vulnerability was published, four days before the patch was applied under the normal change process."},
		cas:       []string{"Patch internet-facing appliances within 48 hours of a critical advisory", "Run the vendor integrity checker weekly and after every advisory"},
		lessons:   []string{"The emergency change path worked but was started late; advisories for edge devices now page the on-call engineer."},
		evidence:  []evidenceKind{evFirewall, evWebLog},
	},
	{
		category: "information-content-security/data-loss", cia: []string{"confidentiality", "availability"}, sev: [4]int{1, 3, 8, 6}, personal: 0.6,
		titles: []string{"Laptop stolen from a car in {site}", "Lost company phone of {user}", "Unencrypted USB stick lost at the {site}"},
		desc: []string{
			"{user} reported that the company laptop was stolen from a locked car during a customer visit; a police report was filed the same evening.",
			"The laptop is managed, BitLocker-encrypted with a TPM and PIN, and was last seen by the MDM {n} hours before the theft.",
			"The user had a local copy of a customer contact list in the downloads folder, synchronised from SharePoint.",
			"A remote wipe was queued; the device has not checked in since.",
		},
		rationale: []string{"Loss of a device holding personal data; encryption makes access unlikely but the loss is handled as an incident."},
		immediate: []string{"Queue a remote wipe, revoke the device certificates and reset the user's password."},
		contain:   []string{"Queued a remote wipe in the MDM, revoked the device certificate and blocked the device in Entra ID."},
		eradicate: []string{"Confirmed that the recovery key was not stored on the device and that the disk encryption was active."},
		recover:   []string{"Issued a replacement laptop and restored the user's files from OneDrive."},
		factors:   []string{"device left in a parked car", "local copies of personal data outside managed folders"},
		analysis:  []string{"The travel policy allows devices to be left in a locked boot; the risk assessment for encrypted devices accepted that. The local copy was not needed."},
		cas:       []string{"Remind field staff of the travel policy for devices", "Restrict synchronisation of customer lists to managed applications"},
		lessons:   []string{"Full-disk encryption turned a potential breach into a low-risk loss; the GDPR assessment template made the decision quick."},
		evidence:  []evidenceKind{evNotes},
	},
	{
		category: "information-content-security/data-leak", cia: []string{"confidentiality"}, sev: [4]int{2, 4, 6, 2}, personal: 0.9, external: 0.5,
		systemHint: []string{"mail (Exchange Online)", "SAP S/4HANA finance", "HR system (Personio)"},
		titles:     []string{"Payroll file sent to the wrong recipient", "Customer export shared with an external address", "Misdirected e-mail with shipment addresses"},
		desc: []string{
			"{user} sent an export with {count} rows of personal data to an external address that was auto-completed instead of the intended colleague.",
			"The recipient, a person at a supplier, answered within the hour that they had deleted the mail and the attachment.",
			"The export contained names, addresses and phone numbers; no bank details or special-category data.",
			"Data loss prevention only warns for this label and the user confirmed the warning.",
		},
		rationale: []string{"Personal data disclosed to an unauthorised recipient; incident, GDPR assessment required."},
		immediate: []string{"Ask the recipient for written confirmation of deletion and try to recall the message."},
		contain:   []string{"Obtained written confirmation of deletion from the recipient and recalled the message where possible."},
		eradicate: []string{"Removed the cached auto-complete entry of the external address for the user."},
		recover:   []string{"Closed the technical follow-up; no system changes needed for recovery."},
		factors:   []string{"auto-complete of external addresses", "DLP policy only warns", "export contained more columns than needed"},
		analysis:  []string{"The export was produced from a report with all columns although the task only needed order numbers; DLP was in warn-only mode for the confidential label."},
		cas:       []string{"Switch the DLP policy for confidential personal data to block with override justification", "Provide a reduced export view for the order team"},
		lessons:   []string{"Quick contact with the recipient reduced the risk; data minimisation in exports is the better control."},
		evidence:  []evidenceKind{evMailHeaders, evNotes},
	},
	{
		category: "availability/ddos", cia: []string{"availability"}, sev: [4]int{2, 5, 6, 1}, external: 0.7,
		systemHint: []string{"customer portal", "website www", "driver app backend API", "DNS (Route 53)"},
		titles:     []string{"DDoS against the customer portal", "Volumetric attack on the {sys}"},
		desc: []string{
			"The {sys} became slow and then unreachable for customers; the CDN reported a layer 7 flood of {count} requests per second from a botnet.",
			"The attack lasted about {n} minutes in waves and targeted the shipment tracking search, which is not cached.",
			"A message on a public channel claimed the attack and demanded payment to stop it.",
		},
		rationale: []string{"Loss of a customer-facing service; incident."},
		immediate: []string{"Enable the CDN's under-attack mode and rate-limit the tracking endpoint."},
		contain:   []string{"Enabled the under-attack mode of the CDN and added a rate limit for the tracking search."},
		eradicate: []string{"Added a cache for tracking results and a challenge for anonymous searches."},
		recover:   []string{"Lifted the under-attack mode after 24 hours without further waves."},
		factors:   []string{"uncached search endpoint", "no DDoS runbook for the CDN"},
		analysis:  []string{"The tracking search performs a database query per request; the CDN protection was configured for volumetric attacks only."},
		cas:       []string{"Cache tracking results for anonymous users", "Write and test a DDoS runbook with the CDN provider"},
		lessons:   []string{"Customer communication through the status page reduced calls to support; the runbook gap cost the first hour."},
		evidence:  []evidenceKind{evWebLog},
	},
	{
		category: "availability/outage", cia: []string{"availability"}, sev: [4]int{1, 4, 8, 4}, external: 0.3,
		systemHint: []string{"TMS (transport management)", "WMS Hamburg hub", "EDI gateway", "telematics platform"},
		titles:     []string{"Cooling failure in data centre HAM-DC1", "Power outage at the {site}", "Storage failure took the {sys} offline"},
		desc: []string{
			"Temperature alarms in {site} were followed by an automatic shutdown of {n} hosts after a chiller failed during maintenance.",
			"The {sys} was unavailable while the hosts were down; the failover site took over the remaining services as designed.",
			"The facility provider confirmed that a contractor closed the wrong valve during scheduled maintenance.",
		},
		rationale: []string{"Availability of business systems lost; handled as an incident under the continuity plan."},
		immediate: []string{"Fail over the critical services and inform the dispatch teams."},
		contain:   []string{"Failed over the critical services to the secondary site and stopped non-essential workloads."},
		eradicate: []string{"The facility provider replaced the failed chiller controller and reviewed the maintenance procedure."},
		recover:   []string{"Brought the hosts back in order of the recovery plan and verified each service with its owner."},
		factors:   []string{"maintenance without a four-eyes check", "single chiller for the room"},
		analysis:  []string{"Maintenance on the redundant chiller coincided with the failure of the primary one; the change was not coordinated with IT."},
		cas:       []string{"Require IT approval for facility maintenance that affects cooling or power", "Add the facility provider to the change calendar"},
		lessons:   []string{"The failover worked; the recovery order in the plan was outdated for two services."},
		evidence:  []evidenceKind{evNotes},
	},
	{
		category: "intrusions/burglary", cia: []string{"confidentiality", "availability"}, sev: [4]int{1, 2, 6, 3}, lawEnf: true,
		titles: []string{"Break-in at the {site}", "Unauthorised person in the server room"},
		desc: []string{
			"The alarm company reported a break-in at the {site} at night; the police arrived within twenty minutes.",
			"A window of the dispatch office was broken and {n} laptops and a badge printer were taken.",
			"The server room door was undamaged and the badge log shows no access during the night.",
		},
		rationale: []string{"Physical intrusion with theft of devices; incident."},
		immediate: []string{"Revoke the stolen devices and badges, secure the site and file a police report."},
		contain:   []string{"Blocked the stolen laptops in the MDM and revoked all badges printed in the last month."},
		eradicate: []string{"Replaced the broken window with security glass and repaired the alarm sensor."},
		recover:   []string{"Issued replacement devices to the dispatch team."},
		factors:   []string{"ground-floor window without break-in protection", "devices left on desks overnight"},
		analysis:  []string{"The site risk assessment did not cover the new dispatch office on the ground floor."},
		cas:       []string{"Install window protection in ground-floor offices", "Introduce lockable storage for devices overnight"},
		lessons:   []string{"Encrypted and managed devices limited the impact to the hardware value."},
		evidence:  []evidenceKind{evCCTV, evNotes},
	},
	{
		category: "fraud/masquerade", cia: []string{"integrity"}, sev: [4]int{2, 5, 3, 0}, lawEnf: true,
		systemHint: []string{"SAP S/4HANA finance", "mail (Exchange Online)"},
		titles:     []string{"CEO fraud attempt against accounts payable", "Fake supplier bank-detail change", "Invoice fraud with a spoofed carrier domain"},
		desc: []string{
			"Accounts payable received a message that appeared to come from a long-standing carrier asking to update their bank details for future invoices.",
			"The sending domain differed from the carrier's by one letter; the message thread copied earlier real correspondence, suggesting the carrier's mailbox was compromised.",
			"One payment of about {count} EUR was released to the new account before the carrier called about the missing payment.",
			"The bank was asked to recall the payment the same day.",
		},
		rationale: []string{"Fraudulent payment released; incident with financial loss."},
		immediate: []string{"Ask the bank to recall the payment, block the fake domain and warn accounts payable."},
		contain:   []string{"Requested a payment recall from the bank and blocked the lookalike domain at the mail gateway."},
		eradicate: []string{"Reverted the bank details in the supplier master data and reviewed all changes of the last 90 days."},
		recover:   []string{"The bank recovered part of the payment from the receiving account."},
		factors:   []string{"bank-detail change accepted by mail", "no call-back to a known number"},
		analysis:  []string{"The procedure required a call-back, but the number used was the one in the fraudulent mail signature."},
		cas:       []string{"Require call-back to the number in the supplier master data for every bank-detail change", "Flag lookalike domains of top suppliers at the mail gateway"},
		lessons:   []string{"Fast contact with the bank matters most; the recall succeeded partly because it was requested within hours."},
		evidence:  []evidenceKind{evPayment, evMailHeaders},
	},
	{
		category: "information-content-security/unauthorised-information-access", cia: []string{"confidentiality"}, sev: [4]int{1, 3, 6, 2}, personal: 0.7,
		systemHint: []string{"intranet (SharePoint)", "HR system (Personio)", "payroll"},
		titles:     []string{"Employee accessed HR records without a business need", "Over-shared SharePoint site exposed salary data"},
		desc: []string{
			"An access review found that a SharePoint site with salary data of {count} employees was shared with everyone in the company.",
			"The audit log shows {n} users outside HR opened files on the site in the last six months.",
			"The permission was set during a migration project and never removed.",
		},
		rationale: []string{"Personal data accessed by people without a need to know; incident."},
		immediate: []string{"Remove the broad permission and preserve the audit log."},
		contain:   []string{"Removed the everyone permission from the site and restricted it to the HR group."},
		eradicate: []string{"Reviewed all sites labelled confidential for broad sharing; fixed three more."},
		recover:   []string{"Confirmed with HR that their access works as before."},
		factors:   []string{"migration permissions left in place", "no periodic access review for SharePoint"},
		analysis:  []string{"The migration runbook had no clean-up step; access reviews covered applications but not collaboration sites."},
		cas:       []string{"Add quarterly access reviews for confidential SharePoint sites", "Add a permission clean-up step to the migration runbook"},
		lessons:   []string{"The access review found what monitoring missed; broad sharing alerts are now enabled."},
		evidence:  []evidenceKind{evNotes},
	},
	{
		category: "fraud/unauthorised-use-of-resources", cia: []string{"integrity", "availability"}, sev: [4]int{0, 2, 6, 4},
		systemHint: []string{"Kubernetes cluster prod-eu-1", "CI pipeline (GitLab)", "AWS account freight-prod"},
		titles:     []string{"Cryptominer in the Kubernetes cluster", "Unauthorised mining on build agents"},
		desc: []string{
			"Cost anomaly alerts fired for the {sys}: CPU usage had tripled overnight.",
			"A pod in a test namespace ran a cryptominer pulled from a public image registry; the namespace had a public load balancer for a demo.",
			"The container ran without privileges and no access to secrets of other namespaces was found.",
		},
		rationale: []string{"Unauthorised use of company resources by an external party; incident."},
		immediate: []string{"Delete the namespace and block the image registry."},
		contain:   []string{"Deleted the test namespace and removed the public load balancer."},
		eradicate: []string{"Rotated the credentials of the demo application and scanned all images in the cluster."},
		recover:   []string{"Restored the demo environment behind the VPN."},
		factors:   []string{"demo exposed without authentication", "no admission control for images"},
		analysis:  []string{"A demo application with a known remote-code-execution flaw was exposed publicly for a trade fair and not taken down."},
		cas:       []string{"Enforce an image allow-list with admission control", "Require expiry dates for public demo endpoints"},
		lessons:   []string{"Cost alerts are a useful security signal; they now go to the SOC as well."},
		evidence:  []evidenceKind{evCloudTrail},
	},
}

var eventScenarios = []scenario{
	{
		category: "information-gathering/scanner",
		titles:   []string{"Port scan of the DMZ from {ip}", "Scan of VPN login pages from a hosting provider range"},
		desc: []string{
			"The firewall log shows a TCP SYN scan of all public addresses from {ip} and neighbouring addresses, about {count} packets over the night.",
			"From the early morning the same sources requested the login pages of the VPN and the portal, fingerprinting the appliance versions.",
			"No authentication attempts and no exploit signatures were seen.",
		},
		rationale: []string{"Reconnaissance only; the firewall dropped everything except the published services. No impact on CIA."},
		immediate: []string{"Block the source range for 30 days and send an abuse report."},
	},
	{
		category: "fraud/phishing",
		titles:   []string{"Suspicious e-mail reported by {user}", "Phishing message asking for a password reset", "Fake parcel notification reported"},
		desc: []string{
			"{user} forwarded a message that claimed to be from the IT service desk and asked to re-validate the mailbox at {domain}.",
			"The user did not click the link; the message came from a freemail account with a spoofed display name.",
			"The mail gateway found {n} copies of the same message in other mailboxes.",
		},
		rationale: []string{"Phishing attempt without interaction; no credentials entered. Not an incident."},
		immediate: []string{"Purge the campaign from all mailboxes and block the sender and domain."},
	},
	{
		category: "intrusion-attempts/brute-force",
		titles:   []string{"Password spraying against the {sys}", "Many failed logins for {user}"},
		desc: []string{
			"The identity provider reported {count} failed logins against {n} accounts from a small set of addresses within an hour.",
			"All attempts failed; the smart lockout blocked the sources automatically.",
			"None of the targeted accounts showed a successful login from an unusual location.",
		},
		rationale: []string{"Failed attempts only, blocked by the existing controls. Not an incident."},
		immediate: []string{"Confirm the lockout and add the sources to the block list."},
	},
	{
		category: "abusive-content/spam",
		titles:   []string{"Spam wave through the web form", "Spam sent to the sales mailbox"},
		desc: []string{
			"The contact form of the website received {count} submissions with links to gambling sites within a day.",
			"The submissions created tickets in the support queue and slowed down the team.",
		},
		rationale: []string{"Nuisance without security impact. Not an incident."},
		immediate: []string{"Enable the captcha on the form."},
	},
	{
		category: "malicious-code/malware-distribution",
		titles:   []string{"Blocked malware download on {host}", "Antivirus alert for a drive-by download"},
		desc: []string{
			"The web proxy blocked a download of a known malware sample on {host} after the user visited a compromised news site.",
			"The EDR confirmed that the file never reached the disk.",
		},
		rationale: []string{"Download blocked by the proxy; nothing executed. Not an incident."},
		immediate: []string{"Scan the device and report the site to the proxy vendor."},
	},
	{
		category: "information-gathering/social-engineering",
		titles:   []string{"Caller posing as IT asked for an MFA code", "Suspicious call to the {site} reception"},
		desc: []string{
			"{user} received a call from a person claiming to work for the IT service desk and asking for the code shown in the authenticator app.",
			"The user refused and reported the call; the caller used a spoofed internal extension.",
			"Two other employees at the {site} reported similar calls the same morning.",
		},
		rationale: []string{"Social engineering attempt that failed; no codes disclosed. Not an incident."},
		immediate: []string{"Warn all staff at the site through the intranet."},
	},
	{
		category: "other/undetermined",
		titles:   []string{"Unusual traffic from {host} reported by the SOC", "Unexpected admin login on {sys}"},
		desc: []string{
			"The SOC noticed outbound connections from {host} to {ip} on an unusual port outside office hours.",
			"Investigation showed a backup agent update from the vendor that used a new endpoint.",
		},
		rationale: []string{"Benign activity explained by a vendor change. Not an incident."},
		immediate: []string{"Document the new vendor endpoint in the allow-list."},
	},
	{
		category: "test/test",
		titles:   []string{"Test report from the SOC escalation check", "Reporting channel test"},
		desc: []string{
			"Scheduled test of the reporting channel by the SOC to check that reports reach the on-call Incident Manager within the agreed time.",
			"The report was acknowledged within {n} minutes.",
		},
		rationale: []string{"Planned test of the reporting channel. Not an incident."},
		immediate: []string{"None needed."},
	},
}

var weaknessScenarios = []scenario{
	{
		category: "vulnerable/vulnerable-system",
		titles:   []string{"Unpatched {vendor} appliance found by the scanner ({cve})", "End-of-life operating system on {host}"},
		desc: []string{
			"The weekly vulnerability scan reports {cve} on the {vendor} appliance, rated critical by the vendor, and a public exploit exists.",
			"The appliance is reachable from the internet on the management port because of a rule added for a migration.",
			"No signs of exploitation were found in the appliance logs.",
		},
		rationale: []string{"Exploitable weakness without signs of use; tracked as a weakness with remediation."},
		immediate: []string{"Close the management port to the internet."},
		cas:       []string{"Apply the vendor patch", "Remove the temporary firewall rule", "Add the appliance to the monthly patch report"},
	},
	{
		category: "vulnerable/weak-crypto",
		titles:   []string{"TLS 1.0 still enabled on the {sys}", "Weak ciphers on the customer SFTP server"},
		desc: []string{
			"A customer's security questionnaire pointed out that the {sys} still accepts TLS 1.0 and CBC ciphers.",
			"An internal scan confirmed the finding; {n} older partner integrations still negotiate TLS 1.0.",
		},
		rationale: []string{"Weakness in transport encryption; no evidence of abuse."},
		immediate: []string{"Inform the partners about the planned change."},
		cas:       []string{"Disable TLS 1.0 and 1.1 after partner migration", "Add TLS configuration checks to the monthly scan"},
	},
	{
		category: "vulnerable/information-disclosure",
		titles:   []string{"Public storage bucket with internal documents", "Directory listing enabled on the website"},
		desc: []string{
			"A researcher reported through security.txt that a storage bucket of the {sys} allows anonymous listing.",
			"The bucket holds marketing material and {n} internal price lists; no personal data.",
		},
		rationale: []string{"Exposure of internal, non-personal documents; weakness to fix, not an incident."},
		immediate: []string{"Block public access on the bucket."},
		cas:       []string{"Enable account-wide public access block", "Thank the researcher and review the bucket inventory"},
	},
	{
		category: "availability/misconfiguration",
		titles:   []string{"Single point of failure in the EDI gateway", "Backup job for {sys} not running"},
		desc: []string{
			"During a restore test the team found that the backup job for the {sys} had not run for {n} days because a credential expired.",
			"Monitoring did not alert because the job reported success with zero files.",
		},
		rationale: []string{"Weakness in a recovery control; no data was lost."},
		immediate: []string{"Renew the credential and run a full backup."},
		cas:       []string{"Alert on backup jobs with zero files", "Move the backup credential to the secrets vault with expiry alerts"},
	},
	{
		category: "vulnerable/potentially-unwanted-accessible",
		titles:   []string{"RDP exposed on a test server", "Database port open to the internet"},
		desc: []string{
			"The external attack-surface scan found RDP open to the internet on a test server in the {sys}.",
			"The server was created by a project team for a short test and not removed.",
		},
		rationale: []string{"Unwanted exposure found before abuse; weakness."},
		immediate: []string{"Close the port."},
		cas:       []string{"Remove the test server", "Enforce a policy that denies public RDP in all subscriptions"},
	},
}

var drillScenarios = []struct {
	scenario   string
	title      string
	format     string
	objectives []string
	findings   []string
}{
	{
		"Ransomware encrypts the Hamburg hub file servers on a Monday morning; the attacker claims data theft.", "Ransomware tabletop exercise", "tabletop",
		[]string{"Test the crisis team call tree", "Decide on regulator and customer notification within the deadlines", "Practise the out-of-band communication channel"},
		[]string{"The call tree had two outdated phone numbers", "Nobody knew who may approve a ransom decision", "The out-of-band channel had not been tested for a year", "The GDPR 72-hour clock was discussed late"},
	},
	{
		"A phishing campaign compromises a finance mailbox and changes supplier bank details.", "Business e-mail compromise walkthrough", "walkthrough",
		[]string{"Walk through the account-compromise playbook", "Check the call-back procedure in accounts payable"},
		[]string{"Token revocation was missing from the playbook", "Accounts payable used the number from the mail signature"},
	},
	{
		"The customer portal is down because of a DDoS attack during peak season.", "DDoS simulation with the CDN provider", "simulation",
		[]string{"Test the CDN under-attack mode", "Measure the time to customer communication"},
		[]string{"Enabling the under-attack mode needed a person with rights that was not on call", "The status page template was missing"},
	},
	{
		"Restore the TMS database and application from backup after a total loss of the primary site.", "Disaster recovery test of the TMS", "live",
		[]string{"Restore within the RTO of 8 hours", "Verify data integrity after restore"},
		[]string{"The restore took 9.5 hours because of a missing runbook step", "Two integration credentials were not documented"},
	},
	{
		"A red team attempts to gain domain admin rights starting from a phished user account.", "Red-team exercise against the corporate network", "red-team",
		[]string{"Measure detection and response times", "Test the escalation from SOC to Incident Manager"},
		[]string{"Lateral movement over SMB was not detected for six hours", "The SOC escalated correctly once the alert fired"},
	},
}

// Action texts not tied to a scenario.
var (
	triageTexts = []string{
		"Reviewed the report with the reporter and collected the first facts.",
		"Queried the SIEM for related activity in the last 30 days.",
		"Checked the affected account and device in the identity provider and the EDR console.",
		"Confirmed the scope with the system owner {person}.",
		"Compared the indicators with the threat intelligence feed; {n} matches.",
	}
	commsTexts = []string{
		"Briefed management on the status and the next steps.",
		"Informed the affected users through the Service Desk.",
		"Posted a status update for the crisis team.",
		"Sent the customer notification prepared with legal and communications.",
	}
	forensicsTexts = []string{
		"Collected a triage package from the affected system and stored it on the forensics share.",
		"Preserved the relevant logs and recorded their hashes in the evidence list.",
		"Reviewed the timeline of the attacker's activity with the forensic provider.",
	}
	interviewTexts = []string{
		"Interviewed the reporter about the sequence of events.",
		"Interviewed the system owner about recent changes.",
	}
	escalationTexts = []string{
		"Escalated to the Senior Security Lead for the incident decision.",
		"Escalated to the crisis team because of the expected business impact.",
	}
	otherTexts = []string{
		"Updated the ticket {ticket} with the findings so far.",
		"Scheduled the post-incident review with all involved teams.",
	}
	methods       = []string{"5 whys", "fishbone diagram", "timeline analysis", "fault tree analysis", "post-incident review workshop"}
	custodyPurpos = []string{"analysis", "long-term storage", "handover to the forensic provider", "legal review"}
	locations     = []string{"forensics share, case folder", "evidence locker EL-2, sealed bag", "immutable evidence bucket freight-evidence", "forensic provider case archive"}
	verifyHow     = []string{
		"Checked the configuration in production and tested it with a simulated case.",
		"Reviewed the control in the quarterly audit; it works as intended.",
		"Re-ran the scan; the finding no longer appears.",
		"Observed the new procedure in a spot check with the team.",
	}
	waiveReasons = []string{
		"Risk accepted by management for the remaining lifetime of the system, which is retired next quarter.",
		"Superseded by a broader corrective action in a later record.",
		"Not cost-effective; the residual risk is covered by a compensating control.",
	}
	rejectReasons = []string{
		"Duplicate of an earlier report about the same event.",
		"False positive; the alert was caused by an authorised penetration test.",
		"Reported in error; the activity was a planned change.",
	}
	resolveReasons = []string{
		"No further action needed; the controls worked as intended.",
		"Handled in normal operations; the reporter was thanked and informed.",
		"Remediation completed and verified.",
	}
	closeReasons = []string{
		"Post-incident review held; all corrective actions verified or waived.",
		"Closed after the lessons learned were accepted by the Senior Security Lead.",
	}
	costNotes = []string{"external forensic provider and overtime", "replacement hardware and staff time", "staff time only", "lost revenue estimate and recovery effort"}
)
