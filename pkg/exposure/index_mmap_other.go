//go:build !unix

package exposure

import "os"

// mapFile reads a file whole (no mapping on this system).
func mapFile(name string) (data []byte, release func(), drop func([]byte), err error) {
	data, err = os.ReadFile(name)
	return data, func() {}, nil, err
}
