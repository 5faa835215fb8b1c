package main

import (
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestReportScript runs testdata/script/report*.txtar: forensics report
// renders from an output directory what analyze rendered.
func TestReportScript(t *testing.T) {
	testscript.Run(t, scriptParams(t, "testdata/script/report*.txtar"))
}
