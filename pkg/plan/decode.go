package plan

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// maxNodeVisits bounds the work of decoding one document. Real plans have a
// few hundred nodes; the bound stops alias "billion laughs" documents.
const maxNodeVisits = 100_000

// decoder fills a Go value from a yaml.Node tree, field by field, so that
// every problem carries the dotted path and the position of the node at
// fault, and one bad value does not hide the others. It replaces yaml.v3's
// own struct decoding, whose errors name neither the field nor the column.
type decoder struct {
	problems []Problem
	// nodes maps each field path seen to its value node; validation uses it
	// to place problems found later.
	nodes map[string]*yaml.Node
	// failed holds the paths whose values could not be decoded; validation
	// keeps quiet about them to avoid piling a second message on the first.
	failed   map[string]bool
	visits   int
	inAlias  map[*yaml.Node]bool
	exceeded bool
}

func newDecoder() *decoder {
	return &decoder{
		nodes:   map[string]*yaml.Node{},
		failed:  map[string]bool{},
		inAlias: map[*yaml.Node]bool{},
	}
}

func (d *decoder) problem(n *yaml.Node, path, format string, args ...any) {
	p := Problem{Field: path, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		p.Line, p.Column = n.Line, n.Column
	}
	d.problems = append(d.problems, p)
}

// fail records a value that could not be decoded.
func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.failed[path] = true
	d.problem(n, path, format, args...)
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[Duration]()
)

// decode stores node n into v, whose field path is path.
func (d *decoder) decode(n *yaml.Node, path string, v reflect.Value) {
	if d.exceeded {
		return
	}
	if d.visits++; d.visits > maxNodeVisits {
		d.exceeded = true
		d.fail(n, path, "document too large (more than %d values, perhaps through aliases)", maxNodeVisits)
		return
	}
	if n.Kind == yaml.AliasNode {
		if d.inAlias[n] || n.Alias == nil {
			d.fail(n, path, "alias *%s refers to itself", n.Value)
			return
		}
		d.inAlias[n] = true
		defer delete(d.inAlias, n)
		d.decode(n.Alias, path, v)
		return
	}
	if _, seen := d.nodes[path]; !seen {
		d.nodes[path] = n
	}
	// A null leaves the value as it is, so a default set beforehand stands
	// ("analysis:" with nothing under it means "all defaults").
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return
	}

	switch t := v.Type(); {
	case t == timeType:
		d.decodeTime(n, path, v)
	case t == durationType:
		d.decodeDuration(n, path, v)
	case t.Kind() == reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		d.decode(n, path, v.Elem())
	case t.Kind() == reflect.Struct:
		d.decodeStruct(n, path, v)
	case t.Kind() == reflect.Slice:
		d.decodeSlice(n, path, v)
	case t.Kind() == reflect.Map:
		d.decodeMap(n, path, v)
	default:
		d.decodeScalar(n, path, v)
	}
}

func (d *decoder) decodeTime(n *yaml.Node, path string, v reflect.Value) {
	const want = "expected an RFC 3339 time like 2026-11-01T00:00:00Z"
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "%s, got a %s", want, kindName(n))
		return
	}
	t, err := time.Parse(time.RFC3339Nano, n.Value)
	if err != nil {
		d.fail(n, path, "%s, got %q", want, n.Value)
		return
	}
	v.Set(reflect.ValueOf(t))
}

func (d *decoder) decodeDuration(n *yaml.Node, path string, v reflect.Value) {
	var dur Duration
	if err := dur.UnmarshalYAML(n); err != nil {
		d.fail(n, path, "%v", err)
		return
	}
	v.Set(reflect.ValueOf(dur))
}

func (d *decoder) decodeScalar(n *yaml.Node, path string, v reflect.Value) {
	var want string
	switch v.Kind() {
	case reflect.String:
		want = "a string"
	case reflect.Float64:
		want = "a number"
	case reflect.Int:
		want = "a whole number"
	case reflect.Bool:
		want = "true or false"
	default: // a schema type this decoder does not know: a bug, not bad input
		d.fail(n, path, "internal error: cannot decode into %s", v.Type())
		return
	}
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "expected %s, got a %s", want, kindName(n))
		return
	}
	switch v.Kind() {
	case reflect.String:
		// Any scalar is text: "id: 2026" is the string "2026".
		v.SetString(n.Value)
		return
	case reflect.Int:
		// yaml.v3 would silently truncate 2.5 to 2.
		i, ok := wholeNumber(n)
		if !ok {
			d.fail(n, path, "expected %s, got %q", want, n.Value)
			return
		}
		v.SetInt(i)
		return
	}
	tmp := reflect.New(v.Type())
	if err := n.Decode(tmp.Interface()); err != nil {
		d.fail(n, path, "expected %s, got %q", want, n.Value)
		return
	}
	if f, ok := tmp.Elem().Interface().(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
		d.fail(n, path, "expected a finite number, got %q", n.Value)
		return
	}
	v.Set(tmp.Elem())
}

// wholeNumber reads an integer written as such ("100", "1_000", "0x10") or
// as an integral float ("1e3", "100.0").
func wholeNumber(n *yaml.Node) (int64, bool) {
	var i int64
	if n.ShortTag() == "!!int" && n.Decode(&i) == nil {
		return i, true
	}
	var f float64
	if n.ShortTag() == "!!float" && n.Decode(&f) == nil && f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
		return int64(f), true
	}
	return 0, false
}

func (d *decoder) decodeSlice(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "expected a list, got a %s", kindName(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, fmt.Sprintf("%s[%d]", path, i), s.Index(i))
	}
	v.Set(s)
}

// mappingPairs checks that n is a mapping with unique plain keys and calls
// visit for each key/value pair. Problems are reported against path.
func (d *decoder) mappingPairs(n *yaml.Node, path string, visit func(key, value *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping (key: value), got a %s", kindName(n))
		return
	}
	firstLine := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		if key.Kind != yaml.ScalarNode {
			d.problem(key, path, "expected a field name, got a %s", kindName(key))
			continue
		}
		if key.ShortTag() == "!!merge" {
			d.problem(key, joinPath(path, key.Value), "merge keys (<<) are not supported; write the fields out")
			continue
		}
		if line, dup := firstLine[key.Value]; dup {
			d.problem(key, joinPath(path, key.Value), "duplicate key (first set on line %d)", line)
			continue
		}
		firstLine[key.Value] = key.Line
		visit(key, value)
	}
}

func (d *decoder) decodeMap(n *yaml.Node, path string, v reflect.Value) {
	if v.Type().Key().Kind() != reflect.String {
		d.fail(n, path, "internal error: cannot decode into %s", v.Type())
		return
	}
	m := reflect.MakeMap(v.Type())
	d.mappingPairs(n, path, func(key, value *yaml.Node) {
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(value, joinPath(path, key.Value), elem)
		m.SetMapIndex(reflect.ValueOf(key.Value).Convert(v.Type().Key()), elem)
	})
	if n.Kind == yaml.MappingNode {
		v.Set(m)
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, path string, v reflect.Value) {
	fields := yamlFields(v.Type())
	d.mappingPairs(n, path, func(key, value *yaml.Node) {
		index, known := fields[key.Value]
		if !known {
			d.problem(key, joinPath(path, key.Value), "unknown field; expected one of %s", strings.Join(sortedKeys(fields), ", "))
			return
		}
		d.decode(value, joinPath(path, key.Value), v.Field(index))
	})
}

// yamlFields maps each YAML key of struct type t to its field index.
func yamlFields(t reflect.Type) map[string]int {
	fields := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = i
	}
	return fields
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// joinPath appends a field name to a dotted path.
func joinPath(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

// kindName names a node's kind for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	case yaml.DocumentNode:
		return "document"
	default:
		return "value"
	}
}
