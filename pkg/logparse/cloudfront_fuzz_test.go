package logparse

import "testing"

func FuzzCloudFront(f *testing.F) {
	fxSeed(f, "cloudfront", "aws_cloudfront")
	f.Add([]byte("#Fields: timestamp sc-range-start sc-range-end cs-uri-stem\n1.5\t0\t9\t/a?b\n\t\t\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fxFuzz(t, CloudFrontFormat{}, data) })
}
