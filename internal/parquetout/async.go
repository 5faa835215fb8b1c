package parquetout

// An Async writes rows of type T to a Parquet file on its own goroutine, so
// that encoding and compressing one file runs beside the work that makes
// its rows and beside other files. Write copies the row; Close waits for
// the goroutine and closes the file. An Async is for one goroutine.
type Async[T any] struct {
	w      *Writer[T]
	ch     chan []T
	done   chan error
	batch  []T
	err    error
	free   chan []T
	closed bool // a.ch is closed
}

// asyncBatch rows are handed over at a time; asyncDepth batches may wait.
const (
	asyncBatch = 1024
	asyncDepth = 4
)

// CreateAsync starts a Parquet file like Create, written by a goroutine.
func CreateAsync[T any](path string) (*Async[T], error) {
	w, err := Create[T](path)
	if err != nil {
		return nil, err
	}
	a := &Async[T]{w: w, ch: make(chan []T, asyncDepth), done: make(chan error, 1), free: make(chan []T, asyncDepth+2)}
	// The goroutine gets the channel as an argument: it may first run
	// after Close has begun.
	go func(ch <-chan []T) {
		var err error
		for b := range ch {
			for _, row := range b {
				if err == nil {
					err = w.Write(row)
				}
			}
			clear(b)
			select {
			case a.free <- b[:0]:
			default:
			}
		}
		a.done <- err
	}(a.ch)
	a.batch = make([]T, 0, asyncBatch)
	return a, nil
}

// Write adds a copy of row.
func (a *Async[T]) Write(row *T) error {
	if a.closed {
		return ErrClosed
	}
	if a.err != nil {
		return a.err
	}
	a.batch = append(a.batch, *row)
	if len(a.batch) == asyncBatch {
		a.ch <- a.batch
		select {
		case b := <-a.free:
			a.batch = b
		default:
			a.batch = make([]T, 0, asyncBatch)
		}
	}
	return nil
}

// Close writes what is left, waits for the goroutine and closes the file
// (see Writer.Close).
func (a *Async[T]) Close() error {
	if a.closed {
		return ErrClosed
	}
	if len(a.batch) > 0 {
		a.ch <- a.batch
		a.batch = nil
	}
	close(a.ch)
	a.closed = true
	if err := <-a.done; err != nil {
		a.w.Abort()
		return err
	}
	return a.w.Close()
}

// Abort stops the goroutine and removes the temporary file. It does
// nothing after Close, or on a nil Async, so it may be deferred.
func (a *Async[T]) Abort() {
	if a == nil {
		return
	}
	if !a.closed {
		close(a.ch)
		a.closed = true
		<-a.done
	}
	a.w.Abort()
}
