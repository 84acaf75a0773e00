package storeconfig

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// yaml.v3 checks unknown keys only in its Decoder (KnownFields), not in
// Node.Decode, and a store block must be decoded from a node because a
// mapping preset is substituted first. checkNode does the same check on the
// node, and also decodes every leaf on its own, so that a mistyped value is
// reported with its dotted path and line instead of the struct's type name.

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// checkNode reports the first unknown key or undecodable value under n,
// which is to be decoded into a value of type t at path (e.g.
// "clickhouse.tls").
func checkNode(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Tag == "!!null" {
		return nil
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return decodeLeaf(n, t, path)
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return fmt.Errorf("line %d: %s: expected a mapping (key: value pairs), got %s", n.Line, where(path), describe(n))
		}
		return checkStruct(n, t, path)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return fmt.Errorf("line %d: %s: expected a mapping (key: value pairs), got %s", n.Line, where(path), describe(n))
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if err := decodeLeaf(k, t.Key(), path); err != nil {
				return err
			}
			if err := checkNode(v, t.Elem(), join(path, k.Value)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return fmt.Errorf("line %d: %s: expected a list, got %s", n.Line, where(path), describe(n))
		}
		for i, e := range n.Content {
			if err := checkNode(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	return decodeLeaf(n, t, path)
}

// checkStruct checks a mapping node's keys against the struct's yaml
// fields (merge keys included) and recurses into their values.
func checkStruct(n *yaml.Node, t reflect.Type, path string) error {
	fields := yamlFields(t)
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Tag == "!!merge" {
			if v.Kind == yaml.AliasNode && v.Alias != nil {
				v = v.Alias
			}
			if v.Kind == yaml.MappingNode {
				if err := checkStruct(v, t, path); err != nil {
					return err
				}
				continue
			}
		}
		ft, ok := fields[k.Value]
		if !ok {
			return fmt.Errorf("line %d: %s: unknown key %q (expected one of %s)", k.Line, where(path), k.Value, strings.Join(sortedKeys(fields), ", "))
		}
		if line, dup := seen[k.Value]; dup {
			return fmt.Errorf("line %d: %s: given twice (first on line %d)", k.Line, join(path, k.Value), line)
		}
		seen[k.Value] = k.Line
		if err := checkNode(v, ft, join(path, k.Value)); err != nil {
			return err
		}
	}
	return nil
}

// decodeLeaf decodes one value on its own and rephrases yaml's error.
func decodeLeaf(n *yaml.Node, t reflect.Type, path string) error {
	if err := n.Decode(reflect.New(t).Interface()); err != nil {
		msg := err.Error()
		if te, ok := err.(*yaml.TypeError); ok && len(te.Errors) > 0 {
			msg = te.Errors[0]
			// "line 5: cannot unmarshal ..." -> "cannot unmarshal ..."
			if _, rest, found := strings.Cut(msg, ": "); found && strings.HasPrefix(msg, "line ") {
				msg = rest
			}
		}
		return fmt.Errorf("line %d: %s: %s", n.Line, path, msg)
	}
	return nil
}

// yamlFields maps a struct's yaml keys to their types, following yaml.v3's
// rules: the tag's name, else the lower-cased field name; "-" skips;
// ",inline" merges an embedded struct's keys.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
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
		if strings.Contains(","+opts+",", ",inline,") {
			inner := f.Type
			for inner.Kind() == reflect.Pointer {
				inner = inner.Elem()
			}
			if inner.Kind() == reflect.Struct {
				for k, v := range yamlFields(inner) {
					out[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func sortedKeys(m map[string]reflect.Type) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// join builds a dotted path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// where names a path in a message; the empty path is the file's top level.
func where(path string) string {
	if path == "" {
		return "top level"
	}
	return path
}

// describe names a node's kind for messages, without quoting its value (it
// might be a misplaced secret).
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return "a string"
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		}
		return "a scalar"
	}
	return "something else"
}
