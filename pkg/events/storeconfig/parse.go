package storeconfig

import (
	"errors"
	"fmt"
	"os"
	"reflect"

	"gopkg.in/yaml.v3"
)

// Load reads and checks a store configuration file. Errors start with the
// file name and name the offending key with its line.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("store file: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Parse reads a store configuration from YAML or JSON (JSON is YAML) and
// checks it: unknown keys, mistyped values and the store's own rules are
// errors naming the key. A password never appears in an error.
func Parse(data []byte) (Config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		// Syntax errors carry a position and a token class, not values.
		return Config{}, err
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return Config{}, errors.New("empty: expected type: clickhouse or postgres, and that store's block (clickhouse: or postgres:)")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return Config{}, fmt.Errorf("line %d: expected a mapping with type and a store block, got %s", root.Line, describe(root))
	}
	s := collectSecrets(root)
	c, err := decode(root)
	if err != nil {
		return Config{}, s.scrub(err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, s.scrub(err)
	}
	return c, nil
}

// decode substitutes mapping presets, checks every key and value, then
// decodes the file's top-level mapping.
func decode(root *yaml.Node) (Config, error) {
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch key := root.Content[i].Value; key {
		case TypeClickHouse, TypePostgres:
			if err := resolvePreset(root.Content[i+1], key); err != nil {
				return Config{}, err
			}
		}
	}
	if err := checkNode(root, reflect.TypeFor[Config](), ""); err != nil {
		return Config{}, err
	}
	var c Config
	if err := root.Decode(&c); err != nil {
		return Config{}, err
	}
	return c, nil
}
