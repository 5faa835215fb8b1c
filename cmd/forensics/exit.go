package main

import "errors"

// Exit statuses, documented in the README.
const (
	exitOK       = 0 // success
	exitFailure  = 1 // the run failed: bad flags, unreadable index, cannot write outputs
	exitBadInput = 2 // the run finished, but some input could not be read in full
)

// errPartialInput marks a run that finished but could not read every input
// in full; outputs are written and say so.
var errPartialInput = errors.New("some inputs could not be read in full (see the messages above, and the manifest where one is written)")

func exitCode(err error) int {
	if errors.Is(err, errPartialInput) {
		return exitBadInput
	}
	return exitFailure
}
