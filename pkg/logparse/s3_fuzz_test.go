package logparse

import "testing"

func FuzzS3(f *testing.F) {
	fxSeed(f, "s3", "aws_s3")
	f.Add([]byte(`o b [06/Feb/2019:00:00:38 +0000] ::1 - i op k "-" - - - - - - "-" "-"` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fxFuzz(t, S3Format{}, data) })
}
