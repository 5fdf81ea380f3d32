package custody

// DisableFastReader makes r read every object through go-git, so tests can
// check that both readers give the same answers.
func DisableFastReader(r *Repository) {
	if r.fast != nil {
		r.fast.close()
		r.fast = nil
	}
}
