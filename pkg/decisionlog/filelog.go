package decisionlog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// FileLog is the durable Log: JSON lines in daily segment files
// (decisions-YYYY-MM-DD.jsonl, by the UTC day an entry was recorded) in one
// directory. Every Append writes its entries with one write and fsyncs the
// file before returning, so an acknowledged entry survives a crash. A crash
// mid-write can leave a torn last line, which was never acknowledged; Open
// cuts it off. Retention deletes whole segments, so kept entries are never
// rewritten.
//
// It works beside every event store (the embedded DuckDB file is locked by
// its engine and a SQL store may be read-only for liftgate), and all
// entries are also kept in memory for List.
type FileLog struct {
	dir    string
	maxAge time.Duration
	now    func() time.Time

	mu      sync.Mutex
	entries []Entry
	nextID  uint64
	file    *os.File // the open segment
	segment string   // its day
	closed  bool
}

const segmentPrefix, segmentSuffix = "decisions-", ".jsonl"

// OpenFile opens (creating it if needed) the log in dir and reads it.
func OpenFile(dir string, opts FileOptions) (*FileLog, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxAge < 0 {
		return nil, fmt.Errorf("decisionlog: retention %s is negative", opts.MaxAge)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("decisionlog: %w", err)
	}
	l := &FileLog{dir: dir, maxAge: opts.MaxAge, now: opts.Now, nextID: 1}
	segs, err := l.segments()
	if err != nil {
		return nil, err
	}
	for i, day := range segs {
		entries, err := readSegment(l.path(day), i == len(segs)-1)
		if err != nil {
			return nil, err
		}
		l.entries = append(l.entries, entries...)
	}
	for _, e := range l.entries {
		if e.ID >= l.nextID {
			l.nextID = e.ID + 1
		}
	}
	return l, nil
}

func (l *FileLog) path(day string) string {
	return filepath.Join(l.dir, segmentPrefix+day+segmentSuffix)
}

// segments lists the segment days, oldest first.
func (l *FileLog) segments() ([]string, error) {
	names, err := filepath.Glob(filepath.Join(l.dir, segmentPrefix+"*"+segmentSuffix))
	if err != nil {
		return nil, fmt.Errorf("decisionlog: %w", err)
	}
	var days []string
	for _, n := range names {
		day := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(n), segmentPrefix), segmentSuffix)
		if _, err := time.Parse(time.DateOnly, day); err == nil {
			days = append(days, day)
		}
	}
	sort.Strings(days)
	return days, nil
}

// readSegment decodes one segment. In the newest segment a last line
// without its newline is the torn write of a crash: it is cut off.
func readSegment(path string, newest bool) ([]Entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("decisionlog: %w", err)
	}
	if n := bytes.LastIndexByte(data, '\n') + 1; n < len(data) {
		if !newest {
			return nil, fmt.Errorf("decisionlog: %s: last line is incomplete in a segment that is no longer written", path)
		}
		if err := os.Truncate(path, int64(n)); err != nil {
			return nil, fmt.Errorf("decisionlog: cutting the torn last line of %s: %w", path, err)
		}
		data = data[:n]
	}
	var out []Entry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("decisionlog: %s line %d: expected one JSON entry: %w", path, line, err)
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

// Append implements Log.
func (l *FileLog) Append(ctx context.Context, entries ...Entry) ([]Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, errors.New("decisionlog: log is closed")
	}
	now := l.now().UTC()
	out, err := Prepare(entries, now)
	if err != nil {
		return nil, fmt.Errorf("decisionlog: %w", err)
	}
	var buf bytes.Buffer
	for i := range out {
		out[i].ID = l.nextID + uint64(i)
		line, err := json.Marshal(out[i])
		if err != nil {
			return nil, fmt.Errorf("decisionlog: entry %d: encoding: %w", i, err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	f, err := l.open(now.Format(time.DateOnly))
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		return nil, l.failedWrite(err)
	}
	if err := f.Sync(); err != nil {
		return nil, l.failedWrite(err)
	}
	l.nextID += uint64(len(out))
	l.entries = append(l.entries, out...)
	return out, nil
}

// failedWrite closes the segment after a failed write: the next Append
// reopens it and starts on a fresh line, so a partly written batch is
// never glued to the next entry.
func (l *FileLog) failedWrite(err error) error {
	_ = l.file.Close()
	l.file, l.segment = nil, ""
	return fmt.Errorf("decisionlog: writing: %w", err)
}

// open returns the segment file of day, opening it for appending.
func (l *FileLog) open(day string) (*os.File, error) {
	if l.file != nil && l.segment == day {
		return l.file, nil
	}
	if l.file != nil {
		_ = l.file.Close()
		l.file = nil
	}
	path := l.path(day)
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("decisionlog: %w", err)
	}
	if err := terminateLine(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	if os.IsNotExist(statErr) {
		// A new file is durable only once its directory entry is.
		if err := syncDir(l.dir); err != nil {
			_ = f.Close()
			return nil, err
		}
	}
	l.file, l.segment = f, day
	return f, nil
}

// terminateLine writes a newline when the file ends inside a line (a write
// that failed halfway), so the next entry starts on its own line.
func terminateLine(f *os.File) error {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return err
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, st.Size()-1); err != nil {
		return fmt.Errorf("decisionlog: %w", err)
	}
	if last[0] != '\n' {
		_, err = f.Write([]byte{'\n'})
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("decisionlog: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("decisionlog: syncing %s: %w", dir, err)
	}
	return nil
}

// List implements Log.
func (l *FileLog) List(ctx context.Context, f Filter) ([]Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []Entry{}
	for i := range l.entries {
		if f.Match(&l.entries[i]) {
			out = append(out, l.entries[i])
		}
	}
	return out, nil
}

// Compact applies the retention policy: it deletes every segment whose day
// ended more than MaxAge before now, except the newest. Entries are kept or dropped a day at a
// time, and kept ones are never rewritten. It returns how many entries it
// dropped.
func (l *FileLog) Compact(ctx context.Context, now time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if l.maxAge == 0 {
		return 0, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	segs, err := l.segments()
	if err != nil {
		return 0, err
	}
	cutoff := now.Add(-l.maxAge)
	removed := map[string]bool{}
	for i, day := range segs {
		start, _ := time.Parse(time.DateOnly, day)
		// The newest segment holds the highest id, from which Open
		// continues: deleting it would hand out ids again.
		if day == l.segment || i == len(segs)-1 || start.AddDate(0, 0, 1).After(cutoff) {
			continue
		}
		if err := os.Remove(l.path(day)); err != nil {
			return 0, fmt.Errorf("decisionlog: retention: %w", err)
		}
		removed[day] = true
	}
	if len(removed) == 0 {
		return 0, nil
	}
	if err := syncDir(l.dir); err != nil {
		return 0, err
	}
	kept := l.entries[:0:0]
	for _, e := range l.entries {
		if !removed[e.RecordedAt.UTC().Format(time.DateOnly)] {
			kept = append(kept, e)
		}
	}
	n := len(l.entries) - len(kept)
	l.entries = kept
	return n, nil
}

// Close implements Log.
func (l *FileLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.file == nil {
		return nil
	}
	err := l.file.Close()
	l.file = nil
	return err
}
