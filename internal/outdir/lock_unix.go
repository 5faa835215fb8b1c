//go:build unix

package outdir

import (
	"os"
	"syscall"
)

// tryLock takes an exclusive lock on f without waiting: false and no
// error when another process holds it.
func tryLock(f *os.File) (bool, error) {
	for {
		switch err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err {
		case nil:
			return true, nil
		case syscall.EINTR:
		case syscall.EWOULDBLOCK:
			return false, nil
		default:
			return false, err
		}
	}
}
