// Package dist_test checks the built plugin (dist/) the way Grafana's
// plugin validator would, since the validator cannot run here (it needs
// the network): plugin.json against the plugin schema and consistent with
// package.json and the top-level plugin.json, the backend executables for
// linux amd64 and arm64 with the right names, modes and architectures and
// without cgo, and the files a plugin archive must carry.
//
// Build dist/ first (make plugin-backend and npm run build); the test
// fails, rather than skips, when it is missing. LIFTGATE_DIST points it
// at another directory.
package dist_test

import (
	"bufio"
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const repoRoot = "../.."

func distDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("LIFTGATE_DIST")
	if dir == "" {
		dir = filepath.Join(repoRoot, "dist")
	}
	if _, err := os.Stat(filepath.Join(dir, "plugin.json")); err != nil {
		t.Fatalf("no built plugin in %s (%v): run `make plugin-backend` and `npm run build` first", dir, err)
	}
	return dir
}

// pluginJSON is the part of plugin.json these checks read.
type pluginJSON struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Name       string `json:"name"`
	Executable string `json:"executable"`
	Backend    bool   `json:"backend"`
	Alerting   bool   `json:"alerting"`
	Info       struct {
		Version string `json:"version"`
		Updated string `json:"updated"`
		Logos   struct {
			Small string `json:"small"`
			Large string `json:"large"`
		} `json:"logos"`
	} `json:"info"`
}

func readJSON(t *testing.T, path string, into any) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return raw
}

func packageVersion(t *testing.T) string {
	t.Helper()
	var pkg struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	readJSON(t, filepath.Join(repoRoot, "package.json"), &pkg)
	if pkg.Version == "" {
		t.Fatal("package.json has no version")
	}
	return pkg.Version
}

// The built plugin.json is valid against the plugin schema, has every
// placeholder filled, and agrees with package.json and the top-level
// plugin.json (the one source of truth).
func TestPluginJSON(t *testing.T) {
	dir := distDir(t)
	var built pluginJSON
	raw := readJSON(t, filepath.Join(dir, "plugin.json"), &built)

	compiler := jsonschema.NewCompiler()
	schema, err := compiler.Compile("testdata/plugin.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(doc); err != nil {
		t.Errorf("dist/plugin.json does not match the plugin schema:\n%v", err)
	}

	for _, placeholder := range []string{"%VERSION%", "%TODAY%"} {
		if bytes.Contains(raw, []byte(placeholder)) {
			t.Errorf("dist/plugin.json still holds %s", placeholder)
		}
	}
	if v := packageVersion(t); built.Info.Version != v {
		t.Errorf("plugin.json version %q, package.json %q", built.Info.Version, v)
	}
	if !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(built.Info.Updated) {
		t.Errorf("info.updated %q is not a date", built.Info.Updated)
	}
	if built.Alerting && !built.Backend {
		t.Error("alerting needs a backend")
	}

	var source pluginJSON
	readJSON(t, filepath.Join(repoRoot, "plugin.json"), &source)
	if source.ID != built.ID || source.Type != built.Type || source.Name != built.Name || source.Executable != built.Executable {
		t.Errorf("dist/plugin.json (%s %s %s %s) differs from the top-level plugin.json (%s %s %s %s)",
			built.ID, built.Type, built.Name, built.Executable, source.ID, source.Type, source.Name, source.Executable)
	}
	for _, logo := range []string{built.Info.Logos.Small, built.Info.Logos.Large} {
		if _, err := os.Stat(filepath.Join(dir, logo)); err != nil {
			t.Errorf("logo %s: %v", logo, err)
		}
	}
}

// A plugin archive carries its documentation and frontend.
func TestRequiredFiles(t *testing.T) {
	dir := distDir(t)
	for _, name := range []string{"module.js", "README.md", "CHANGELOG.md", "LICENSE", "go_plugin_build_manifest"} {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if info.Size() == 0 {
			t.Errorf("%s is empty", name)
		}
	}
	changelog, err := os.ReadFile(filepath.Join(dir, "CHANGELOG.md"))
	if err == nil && !regexp.MustCompile(`(?m)^#+ .*`+regexp.QuoteMeta(packageVersion(t))).Match(changelog) {
		t.Errorf("CHANGELOG.md has no heading for version %s", packageVersion(t))
	}
}

// The manifest lists the Go sources the validator compares with the
// repository, as "sha256:path" lines, the entry point among them.
func TestBuildManifest(t *testing.T) {
	f, err := os.Open(filepath.Join(distDir(t), "go_plugin_build_manifest"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line := regexp.MustCompile(`^[0-9a-f]{64}:\S+\.go$`)
	sawMain := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if !line.MatchString(sc.Text()) {
			t.Fatalf("line %d is not sha256:path.go: %q", n, sc.Text())
		}
		sawMain = sawMain || strings.HasSuffix(sc.Text(), ":pkg/main.go")
	}
	if !sawMain {
		t.Error("the manifest does not list pkg/main.go")
	}
}

// Grafana looks for <executable>_linux_<arch>; it must be executable (a
// missing x bit is the classic "plugin unavailable"), built for that
// architecture, statically linked and without cgo.
func TestExecutables(t *testing.T) {
	dir := distDir(t)
	var pj pluginJSON
	readJSON(t, filepath.Join(dir, "plugin.json"), &pj)
	for arch, machine := range map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64} {
		t.Run(arch, func(t *testing.T) {
			path := filepath.Join(dir, pj.Executable+"_linux_"+arch)
			info, err := os.Stat(path)
			if err != nil {
				t.Fatalf("%v (Grafana would report the plugin unavailable)", err)
			}
			if info.Mode().Perm()&0o111 != 0o111 {
				t.Errorf("mode %s: not executable by everyone", info.Mode())
			}
			bin, err := elf.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer bin.Close()
			if bin.Machine != machine {
				t.Errorf("built for %s, want %s", bin.Machine, machine)
			}
			for _, prog := range bin.Progs {
				if prog.Type == elf.PT_INTERP {
					t.Error("dynamically linked (has an ELF interpreter)")
				}
			}
			if libs, _ := bin.ImportedLibraries(); len(libs) > 0 {
				t.Errorf("links shared libraries %v", libs)
			}
			bi, err := buildinfo.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			settings := map[string]string{}
			for _, s := range bi.Settings {
				settings[s.Key] = s.Value
			}
			if settings["CGO_ENABLED"] != "0" || settings["GOOS"] != "linux" || settings["GOARCH"] != arch {
				t.Errorf("build settings CGO_ENABLED=%s GOOS=%s GOARCH=%s", settings["CGO_ENABLED"], settings["GOOS"], settings["GOARCH"])
			}
			for _, dep := range bi.Deps {
				if strings.Contains(dep.Path, "duckdb") {
					t.Errorf("links %s: the plugin must not reach DuckDB", dep.Path)
				}
			}
			if arch == runtime.GOARCH {
				checkBuildInfo(t, path, pj.ID)
			}
		})
	}
}

// checkBuildInfo runs the binary's -buildinfo mode (what the SDK embeds
// at build time) and compares its id and version.
func checkBuildInfo(t *testing.T, path, id string) {
	t.Helper()
	out, err := exec.Command(path, "-buildinfo").Output()
	if err != nil {
		t.Fatalf("%s -buildinfo: %v", path, err)
	}
	var bi struct {
		PluginID string `json:"pluginID"`
		Version  string `json:"version"`
	}
	if err := json.Unmarshal(out, &bi); err != nil {
		t.Fatalf("-buildinfo printed %q: %v", out, err)
	}
	if bi.PluginID != id || bi.Version != packageVersion(t) {
		t.Errorf("the binary says %s %s, want %s %s", bi.PluginID, bi.Version, id, packageVersion(t))
	}
}

// The vendored schema is strict where the validator is: mistakes that
// would get a plugin rejected are caught here too.
func TestSchemaRejectsMistakes(t *testing.T) {
	schema, err := jsonschema.NewCompiler().Compile("testdata/plugin.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var good map[string]any
	readJSON(t, filepath.Join(repoRoot, "plugin.json"), &good)
	for name, mutate := range map[string]func(m map[string]any){
		"upper-case id":        func(m map[string]any) { m["id"] = "Liftgate-rollout-datasource" },
		"id without a type":    func(m map[string]any) { m["id"] = "liftgate-rollout" },
		"unknown type":         func(m map[string]any) { m["type"] = "exporter" },
		"misspelt field":       func(m map[string]any) { m["alerts"] = true },
		"no keywords":          func(m map[string]any) { m["info"].(map[string]any)["keywords"] = []any{} },
		"bad version":          func(m map[string]any) { m["info"].(map[string]any)["version"] = "v1" },
		"no grafana range":     func(m map[string]any) { m["dependencies"] = map[string]any{} },
		"alerting not boolean": func(m map[string]any) { m["alerting"] = "yes" },
	} {
		raw, _ := json.Marshal(good)
		var doc map[string]any
		_ = json.Unmarshal(raw, &doc) // a deep copy
		mutate(doc)
		raw, _ = json.Marshal(doc)
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if schema.Validate(v) == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	raw, _ := json.Marshal(good)
	v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err := schema.Validate(v); err != nil {
		t.Errorf("the top-level plugin.json itself: %v", err)
	}
}
