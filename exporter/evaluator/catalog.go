package evaluator

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/liftgate/liftgate/pkg/plan"
)

// File statuses after a load, as the plan_file_status state set shows them.
const (
	FileLoaded    = "loaded"    // the file validates and its plan runs
	FileInvalid   = "invalid"   // the file fails to validate (its last good plan, if any, keeps running)
	FileDuplicate = "duplicate" // the file's id is already taken by an earlier file; it is ignored
)

// FileStatuses lists every file status in a stable order (for state sets).
func FileStatuses() []string { return []string{FileLoaded, FileInvalid, FileDuplicate} }

// LoadedPlan is a plan the exporter runs, with where it came from.
type LoadedPlan struct {
	Plan   *plan.Plan
	Hash   string
	File   string // name relative to the plans directory
	Source []byte // the YAML the plan was parsed from
	// Outdated is set when File no longer validates and this is its last
	// good version; LoadError says what is wrong with the file now.
	Outdated  bool
	LoadError string
}

// FileStatus is the outcome of loading one plan file.
type FileStatus struct {
	File       string
	Experiment string // the id it declares, when it could be read
	Status     string
	Err        string
}

// Catalog is the result of loading a plans directory: the plans to run,
// keyed by id, and the status of every file.
type Catalog struct {
	Plans map[string]*LoadedPlan
	Files []FileStatus
	// OK is false when any file failed to load or clashed with another.
	OK bool
}

// planExtensions are the file names a plans directory is scanned for.
var planExtensions = []string{".yaml", ".yml"}

// LoadDir parses every *.yaml and *.yml file directly in dir. A file that
// fails validation keeps prev's plan from the same file running (marked
// outdated), so a typo in a deployed plan never stops its gate. When two
// files declare the same id, the first by file name wins and the others are
// reported as duplicates, so no experiment is ever exported twice. An
// unreadable directory is an error and the caller keeps prev entirely.
func LoadDir(dir string, prev *Catalog) (*Catalog, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("plans directory: %w", err)
	}
	lastGood := map[string]*LoadedPlan{}
	if prev != nil {
		for _, lp := range prev.Plans {
			lastGood[lp.File] = lp
		}
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") || !hasPlanExtension(e.Name()) {
			continue
		}
		names = append(names, e.Name())
	}
	sort.Strings(names)

	c := &Catalog{Plans: map[string]*LoadedPlan{}, OK: true}
	for _, name := range names {
		lp, status := loadFile(filepath.Join(dir, name), name, lastGood[name])
		if lp != nil {
			if taken, dup := c.Plans[lp.Plan.ID]; dup {
				status = FileStatus{File: name, Experiment: lp.Plan.ID, Status: FileDuplicate,
					Err: fmt.Sprintf("experiment id %q is already defined in %s; this file is ignored", lp.Plan.ID, taken.File)}
				lp = nil
			}
		}
		if status.Status != FileLoaded {
			c.OK = false
		}
		if lp != nil {
			c.Plans[lp.Plan.ID] = lp
		}
		c.Files = append(c.Files, status)
	}
	return c, nil
}

func hasPlanExtension(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	for _, want := range planExtensions {
		if ext == want {
			return true
		}
	}
	return false
}

// loadFile parses one file. On failure it returns the file's last good plan
// (marked outdated) when there is one, and the failure as the file status.
func loadFile(path, name string, lastGood *LoadedPlan) (*LoadedPlan, FileStatus) {
	src, err := os.ReadFile(path)
	var p *plan.Plan
	if err == nil {
		p, err = plan.Parse(src, name)
	}
	if err == nil {
		return &LoadedPlan{Plan: p, Hash: p.Hash(), File: name, Source: src},
			FileStatus{File: name, Experiment: p.ID, Status: FileLoaded}
	}
	status := FileStatus{File: name, Status: FileInvalid, Err: describeLoadError(err)}
	if p != nil {
		status.Experiment = p.ID
	}
	if lastGood == nil {
		return nil, status
	}
	if status.Experiment == "" {
		status.Experiment = lastGood.Plan.ID
	}
	kept := *lastGood
	kept.Outdated = true
	kept.LoadError = status.Err
	return &kept, status
}

// describeLoadError flattens a validation error's lines into one line for
// metrics-adjacent places (logs, JSON), keeping every problem.
func describeLoadError(err error) string {
	var verr *plan.ValidationError
	if errors.As(err, &verr) {
		return strings.ReplaceAll(verr.Error(), "\n", "; ")
	}
	return err.Error()
}
