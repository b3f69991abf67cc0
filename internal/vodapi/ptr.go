package vodapi

// Ptr returns a pointer to a copy of v. It sets the pointer fields of the
// wire types: req.TaskId = vodapi.Ptr("1250000000-procedurev2-abc").
func Ptr[T any](v T) *T {
	return &v
}

// Val returns the value p points to, or the zero value of T when p is nil.
// It reads the pointer fields of the wire types without nil checks.
func Val[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
