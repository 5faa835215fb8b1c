package report

// aheadRows is the number of rows an aheadReader hands over at a time.
const aheadRows = 1024

// aheadReader reads rows on a goroutine of its own, a few batches ahead of
// the caller, so that decoding a file's columns runs beside the work done
// with its rows (on the incident, reading exposures.parquet's 14 million
// rows is as much work as counting and sorting them). Rows are copies,
// valid until the next call of Next, as the readers' own are.
type aheadReader[T any] struct {
	r      rows[T]
	ch     chan aheadBatch[T]
	free   chan []T
	stop   chan struct{}
	nrows  int64 // taken before the goroutine starts: r is its own after
	batch  []T
	i      int
	err    error
	closed bool
}

type aheadBatch[T any] struct {
	rows []T
	err  error // the reader's error, with its last batch
}

// readAhead starts reading r; Close stops the goroutine and closes r.
func readAhead[T any](r rows[T]) *aheadReader[T] {
	a := &aheadReader[T]{r: r, nrows: r.NumRows(), ch: make(chan aheadBatch[T], 2), free: make(chan []T, 4), stop: make(chan struct{})}
	go a.run()
	return a
}

func (a *aheadReader[T]) run() {
	defer close(a.ch)
	for {
		var b []T
		select {
		case <-a.stop:
			return
		case b = <-a.free:
		default:
			b = make([]T, 0, aheadRows)
		}
		for len(b) < aheadRows {
			row, ok := a.r.Next()
			if !ok {
				break
			}
			b = append(b, *row)
		}
		last := len(b) < aheadRows
		var err error
		if last {
			err = a.r.Err()
		}
		select {
		case a.ch <- aheadBatch[T]{b, err}:
		case <-a.stop:
			return
		}
		if last {
			return
		}
	}
}

// Next returns the next row, or false at the end or on an error (see
// Err).
func (a *aheadReader[T]) Next() (*T, bool) {
	for a.i == len(a.batch) {
		if a.batch != nil {
			clear(a.batch) // the strings and slices the rows hold
			select {
			case a.free <- a.batch[:0]:
			default:
			}
			a.batch = nil
		}
		b, ok := <-a.ch
		if !ok {
			return nil, false
		}
		a.batch, a.i = b.rows, 0
		if b.err != nil {
			a.err = b.err
		}
	}
	a.i++
	return &a.batch[a.i-1], true
}

// NumRows returns the number of rows of the file.
func (a *aheadReader[T]) NumRows() int64 { return a.nrows }

// Err returns the read error that stopped Next, nil at a clean end.
func (a *aheadReader[T]) Err() error { return a.err }

// Close stops reading ahead and closes the reader.
func (a *aheadReader[T]) Close() error {
	if a.closed {
		return nil
	}
	a.closed = true
	close(a.stop)
	for range a.ch {
	}
	return a.r.Close()
}
