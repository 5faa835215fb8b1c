package realserver_test

import "testing"

func checkAnalyze(t *testing.T, r *run) {
	t.Skip("analyze not wired yet")
}
