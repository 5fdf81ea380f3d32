package quickload

import (
	"reflect"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/casefile/casefile/internal/record"
)

// planKind is how a Go type takes a YAML node.
type planKind int

const (
	planUnsupported planKind = iota
	planString
	planInt
	planFloat
	planBool
	planUnmarshaler // a scalar handed to the type's UnmarshalYAML (record.Time)
	planStruct
	planPtr
	planSlice
)

// plan is the decoding plan of one Go type, built once by reflection over
// the yaml struct tags, the way yaml.v3 reads them.
type plan struct {
	kind   planKind
	typ    reflect.Type
	elem   *plan            // planPtr, planSlice
	fields map[string]field // planStruct
}

type field struct {
	index int
	plan  *plan
	// omit reads the field's value but does not keep it.
	omit bool
}

var (
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	timeType        = reflect.TypeFor[record.Time]()
	recordPlanOnce  sync.Once
	recordPlan      *plan
)

func planFor() *plan {
	recordPlanOnce.Do(func() {
		recordPlan = buildPlan(reflect.TypeFor[record.Record](), map[reflect.Type]*plan{})
	})
	return recordPlan
}

// buildPlan mirrors the subset of yaml.v3's decoding rules the record model
// uses. A type or tag option it does not know is planUnsupported: a record
// that sets such a field goes to the full loader, so a new kind of field in
// the model costs speed, never correctness.
func buildPlan(t reflect.Type, seen map[reflect.Type]*plan) *plan {
	if p, ok := seen[t]; ok {
		return p
	}
	p := &plan{typ: t}
	seen[t] = p
	if t == timeType {
		p.kind = planUnmarshaler
		return p
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		// An UnmarshalYAML the fast path has not been checked against.
		return p
	}
	switch t.Kind() {
	case reflect.String:
		p.kind = planString
	case reflect.Int, reflect.Int64:
		p.kind = planInt
	case reflect.Float64:
		p.kind = planFloat
	case reflect.Bool:
		p.kind = planBool
	case reflect.Pointer:
		p.kind = planPtr
		p.elem = buildPlan(t.Elem(), seen)
	case reflect.Slice:
		p.kind = planSlice
		p.elem = buildPlan(t.Elem(), seen)
	case reflect.Struct:
		p.kind = planStruct
		p.fields = map[string]field{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("yaml")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			for _, o := range strings.Split(opts, ",") {
				if o != "" && o != "omitempty" {
					// inline, flow: not used by the model; decode
					// nothing of this type on the fast path.
					p.kind = planUnsupported
					return p
				}
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			p.fields[name] = field{index: i, plan: buildPlan(f.Type, seen)}
		}
	}
	return p
}

// planOmitting returns a copy of p that reads but does not keep the fields
// at the dotted paths (through pointers and slices: "evidence.custody").
func planOmitting(p *plan, paths []string) *plan {
	for _, path := range paths {
		p = omitPath(p, strings.Split(path, "."))
	}
	return p
}

func omitPath(p *plan, keys []string) *plan {
	switch p.kind {
	case planPtr, planSlice:
		c := *p
		c.elem = omitPath(p.elem, keys)
		return &c
	case planStruct:
		f, ok := p.fields[keys[0]]
		if !ok {
			return p
		}
		c := *p
		c.fields = make(map[string]field, len(p.fields))
		for k, v := range p.fields {
			c.fields[k] = v
		}
		if len(keys) == 1 {
			f.omit = true
		} else {
			f.plan = omitPath(f.plan, keys[1:])
		}
		c.fields[keys[0]] = f
		return &c
	}
	return p
}
