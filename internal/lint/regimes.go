package lint

import (
	"fmt"
	"strings"
	"time"

	"github.com/casefile/casefile/internal/regime"
)

// checkRegimes evaluates the notification obligations of every declared
// regime (package regime) and reports what the procedure cannot accept: a
// regime nobody knows, a clock that cannot start, a deadline passed with
// nothing sent, a notice sent late without the reasons the law asks for.
func (c *checker) checkRegimes() {
	if len(c.rec.Regimes) == 0 || c.cfg.Rules == nil {
		return
	}
	regimeIndex := func(id string) int {
		for i, rg := range c.rec.Regimes {
			if rg.ID == id {
				return i
			}
		}
		return 0
	}
	for _, st := range regime.Evaluate(c.rec, c.cfg.Rules, c.now, c.cfg.Location) {
		p := fmt.Sprintf("/regimes/%d", regimeIndex(st.Regime))
		switch st.State {
		case regime.StateUnknownRegime:
			c.field(p+"/id", RuleRegimeUnknown, "regime %q is not in the rule set (known: %s)", st.Regime, strings.Join(c.cfg.Rules.Regimes(), ", "))
		case regime.StateMissingTrigger:
			c.key(p+"/id", p, RuleRegimeTrigger, "%v: %s cannot start its clock", st.Err, st.Obligation.ID)
		case regime.StateOverdue:
			c.field(p+"/id", RuleNotificationOverdue, "%s (%s) was due %s and nothing was submitted",
				st.Obligation.ID, strings.Join(st.Obligation.Parties, " or "), st.Deadline.UTC().Format(time.RFC3339))
		case regime.StateLate:
			line, col := c.doc.Pos(p + "/id")
			for i := range c.rec.Notifications {
				if &c.rec.Notifications[i] == st.Submission {
					line, col = c.rec.Notifications[i].At.Line, c.rec.Notifications[i].At.Column
				}
			}
			c.at(line, col, RuleNotificationLate, "%s was submitted %s, after its deadline %s, and the notification has no late_reason",
				st.Obligation.ID, st.SubmittedAt.UTC().Format(time.RFC3339), st.Deadline.UTC().Format(time.RFC3339))
		}
	}
}
