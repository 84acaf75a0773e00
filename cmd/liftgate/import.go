package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/liftgate/liftgate/pkg/events"
	"github.com/liftgate/liftgate/pkg/events/duckdb"
)

// maxListedRejections caps the rejected lines printed; the rest are counted.
const maxListedRejections = 20

// registerImport adds "liftgate import --db FILE EVENTS..." (or --store
// STORE.yaml for ClickHouse or PostgreSQL, see store.go). Each file is
// decoded line by line and appended in atomic batches; rejected lines are
// reported and skipped without losing accepted ones. It exits 0 when every
// line was accepted, 2 when some line or file was rejected (the accepted
// events stay committed) and 1 when the store or a file cannot be used.
func registerImport(app *kingpin.Application) (string, runner) {
	cmd := app.Command("import", "Import event files (NDJSON or CSV, optionally .gz; liftgate, Segment or PostHog shape) into a DuckDB store, or into liftgate's schema in ClickHouse or PostgreSQL. Re-importing a file inserts nothing new.")
	db := cmd.Flag("db", "DuckDB database file (created if absent).").String()
	storeFile := cmd.Flag("store", "Store file (YAML) naming a ClickHouse or PostgreSQL store; the mapped event table is created if absent.").String()
	batchSize := cmd.Flag("batch-size", "Events per atomic batch.").Default(strconv.Itoa(defaultBatchSize)).Int()
	files := cmd.Arg("events", "Event files: .ndjson, .jsonl, .json or .csv, optionally followed by .gz.").Required().Strings()
	return cmd.FullCommand(), func(ctx context.Context, out io.Writer) error {
		if *batchSize < 1 {
			return &exitError{code: 2, err: fmt.Errorf("--batch-size must be at least 1, got %d", *batchSize)}
		}
		if countGiven(*db != "", *storeFile != "") != 1 {
			return &exitError{code: 2, err: errors.New("give exactly one of --db FILE or --store STORE.yaml")}
		}
		store, err := openImportTarget(ctx, *db, *storeFile)
		if err != nil {
			return err
		}
		imp := &importer{store: store, batchSize: *batchSize, progress: terminalProgress()}
		total, err := imp.importFiles(ctx, *files, out)
		if err == nil && total.rejected > 0 {
			err = &exitError{code: imp.exitCode(), err: errors.New(imp.report(total))}
		}
		return errors.Join(err, store.Close())
	}
}

// defaultBatchSize is the batch size when none is given.
const defaultBatchSize = 10000

// loadEventFiles imports event files into store for a one-off run (analyze
// --events), writing per-file summaries to w. Rejected lines are reported
// to w as a warning; a file that is rejected as a whole (unreadable, bad
// CSV header, unknown type) is an error, since the analysis would silently
// miss its events.
func loadEventFiles(ctx context.Context, store *duckdb.Store, files []string, w io.Writer) error {
	imp := &importer{store: store, batchSize: defaultBatchSize, progress: terminalProgress()}
	total, err := imp.importFiles(ctx, files, w)
	switch {
	case err != nil:
		return err
	case imp.filesRejected > 0:
		return &exitError{code: imp.exitCode(), err: errors.New(imp.report(total))}
	case total.rejected > 0:
		_, err := fmt.Fprintln(w, "warning: "+imp.report(total))
		return err
	}
	return nil
}

// importTally counts what happened to one file's records, or to all files'.
type importTally struct {
	read, inserted, duplicates, skipped, rejected int
	// zoneless are accepted records whose timestamp had no time zone (read
	// as UTC): only the decoder can tell, stores keep instants.
	zoneless int
}

func (t *importTally) add(o importTally) {
	t.read += o.read
	t.inserted += o.inserted
	t.duplicates += o.duplicates
	t.skipped += o.skipped
	t.rejected += o.rejected
	t.zoneless += o.zoneless
}

func (t importTally) String() string {
	return fmt.Sprintf("%d records read, %d inserted, %d duplicates, %d skipped, %d rejected, %d zoneless timestamps read as UTC",
		t.read, t.inserted, t.duplicates, t.skipped, t.rejected, t.zoneless)
}

type importer struct {
	store     eventAppender
	batchSize int
	progress  io.Writer // nil unless stderr is a terminal

	rejections    []string // the first maxListedRejections, as FILE:LINE: FIELD: message
	filesRejected int      // files rejected as a whole
	unreadable    bool     // some file could not be opened: exit 1
}

func (imp *importer) reject(msg string) {
	if len(imp.rejections) < maxListedRejections {
		imp.rejections = append(imp.rejections, msg)
	}
}

// rejectFile records a problem that stops a whole file.
func (imp *importer) rejectFile(tally *importTally, err error) {
	imp.filesRejected++
	tally.rejected++
	imp.reject(err.Error())
}

// importFiles imports the files in order, writing a summary line per file
// and a total to out. It returns an error only when the store fails or the
// context ends; committed batches stay committed.
func (imp *importer) importFiles(ctx context.Context, files []string, out io.Writer) (importTally, error) {
	var total importTally
	for _, file := range files {
		tally, err := imp.importFile(ctx, file)
		total.add(tally)
		if _, werr := fmt.Fprintf(out, "%s: %s\n", file, tally); werr != nil {
			return total, werr
		}
		if err != nil {
			return total, fmt.Errorf("%s: %w (the events of earlier batches are committed)", file, err)
		}
	}
	_, err := fmt.Fprintf(out, "total: %d files, %s\n", len(files), total)
	return total, err
}

// report lists the rejections, the first maxListedRejections in full.
func (imp *importer) report(total importTally) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d rejected (records or whole files); the accepted events are committed:", total.rejected)
	for _, r := range imp.rejections {
		b.WriteString("\n  " + r)
	}
	if n := total.rejected - len(imp.rejections); n > 0 {
		fmt.Fprintf(&b, "\n  ... and %d more", n)
	}
	return b.String()
}

// exitCode is 1 when a file could not be opened (like validate), else 2:
// the input was read but is partly invalid.
func (imp *importer) exitCode() int {
	if imp.unreadable {
		return 1
	}
	return 2
}

// importFile decodes one file and appends it batch by batch. File-level
// problems (unopenable file, bad CSV header, corrupt gzip) are recorded as a
// rejection of the file; only store failures and cancellation are returned.
func (imp *importer) importFile(ctx context.Context, file string) (tally importTally, err error) {
	f, err := os.Open(file)
	if err != nil {
		imp.unreadable = true
		imp.rejectFile(&tally, err)
		return tally, nil
	}
	defer f.Close()

	var size int64
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	counted := &countingReader{r: f}
	dec, err := events.DecoderFor(file, counted)
	if err != nil {
		imp.rejectFile(&tally, err)
		return tally, nil
	}
	defer func() {
		tally.skipped = dec.Skipped()
		tally.zoneless = dec.Zoneless()
		tally.read += tally.skipped
	}()

	batch := make([]events.Event, 0, imp.batchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		res, err := imp.store.Append(ctx, batch)
		if err != nil {
			return err
		}
		tally.inserted += res.Inserted
		tally.duplicates += res.Duplicates
		batch = batch[:0]
		return nil
	}
	bar := newProgressBar(imp.progress, file, size)
	defer bar.done()
	for {
		ev, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return tally, flush()
		}
		var lineErr *events.LineError
		switch {
		case errors.As(err, &lineErr):
			tally.read++
			tally.rejected++
			imp.reject(lineErr.Error())
			continue
		case err != nil:
			// The rest of the file cannot be decoded; keep what was read.
			imp.rejectFile(&tally, err)
			return tally, flush()
		}
		tally.read++
		batch = append(batch, ev)
		if len(batch) >= imp.batchSize {
			if err := ctx.Err(); err != nil {
				return tally, err
			}
			if err := flush(); err != nil {
				return tally, err
			}
			bar.update(counted.n, tally.read)
		}
	}
}

// countingReader counts the bytes read from the file (compressed bytes for
// .gz), which against the file size gives the progress fraction.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// terminalProgress returns stderr when it is a terminal, else nil: progress
// bars are for people, not for logs or pipes. (golang.org/x/term is not in
// the module graph; a character device is what a terminal looks like.)
func terminalProgress() io.Writer {
	st, err := os.Stderr.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return os.Stderr
}

// progressBar redraws one status line, at most every progressEvery.
type progressBar struct {
	w     io.Writer
	file  string
	size  int64
	drawn time.Time
}

const progressEvery = 200 * time.Millisecond

func newProgressBar(w io.Writer, file string, size int64) *progressBar {
	return &progressBar{w: w, file: file, size: size}
}

func (p *progressBar) update(bytesRead int64, records int) {
	if p.w == nil || time.Since(p.drawn) < progressEvery {
		return
	}
	p.drawn = time.Now()
	fmt.Fprint(p.w, "\r"+progressLine(p.file, bytesRead, p.size, records)+"\033[K")
}

func (p *progressBar) done() {
	if p.w != nil && !p.drawn.IsZero() {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// progressLine renders "FILE [=====>    ]  45% 12345 records".
func progressLine(file string, done, size int64, records int) string {
	const width = 30
	frac := 0.0
	if size > 0 {
		frac = min(float64(done)/float64(size), 1)
	}
	filled := int(frac * width)
	bar := strings.Repeat("=", filled)
	if filled < width {
		bar += ">" + strings.Repeat(" ", width-filled-1)
	}
	return fmt.Sprintf("%s [%s] %3.0f%% %d records", file, bar, frac*100, records)
}
