//go:build !faultinject

package faults

// Enabled reports whether this binary was built with fault injection.
const Enabled = false

// Point marks a step of a write path; without the faultinject build tag it
// does nothing and compiles away.
func Point(step string) {}
